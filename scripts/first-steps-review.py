#!/usr/bin/env python3
"""Every solver's first steps from rest on deep dam-break columns (issue 28's review).

    scripts/first-steps-review.py [FLUME_CLI] [--solvers dfsph,pcisph,pbf,wcsph]

Columns 50, 100, 200 and 300 particles deep in 2D (40 wide) and 30, 60 and 100 deep in 3D (16
or 12 wide), each released from rest in a tank 2.7 times as long as the column is wide and run
to a quarter of sqrt(H / g) plus 0.02 s with default settings on 2 threads. One line per case:
steps, retried steps, the largest and the largest mean density error, the largest speed over the
fall speed sqrt(2 g H), the most passes of a step, and the largest rise of kinetic + potential
energy over its start, in % of the potential energy. Takes about 3 minutes on 2 cores.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import tempfile

CASES = [(2, 50, 40, 0.002), (2, 100, 40, 0.0015), (2, 200, 40, 0.001), (2, 300, 40, 0.001),
         (3, 30, 16, 0.005), (3, 60, 16, 0.005), (3, 100, 12, 0.004)]


def column(dim, depth, width, r):
    h, w = 2 * r * depth, 2 * r * width
    scene = {"dimension": dim, "particle_radius": r, "viscosity_model": "artificial",
             "viscosity": 0.02}
    if dim == 2:
        scene.update(gravity=[0, -9.81], domain={"min": [0, 0], "max": [2.7 * w, 2 * h]},
                     fluid=[{"min": [0, 0], "max": [w, h]}])
    else:
        scene.update(gravity=[0, -9.81, 0],
                     domain={"min": [0, 0, 0], "max": [2.7 * w, 2 * h, w]},
                     fluid=[{"min": [0, 0, 0], "max": [w, h, w]}])
    return scene, h


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser()
    parser.add_argument("cli", nargs="?",
                        default=os.path.join(repo, "build/native-release/src/cli/flume-cli"))
    parser.add_argument("--solvers", default="dfsph,pcisph,pbf,wcsph")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        scene_path, stats_path = os.path.join(work, "c.json"), os.path.join(work, "s.csv")
        for dim, depth, width, r in CASES:
            scene, h = column(dim, depth, width, r)
            with open(scene_path, "w") as f:
                json.dump(scene, f)
            until = 0.25 * math.sqrt(h / 9.81) + 0.02
            fall = math.sqrt(2 * 9.81 * h)
            for solver in args.solvers.split(","):
                run = subprocess.run([args.cli, "run", scene_path, "--set", "solver=" + solver,
                                      "--until", str(until), "--threads", "2", "--stats",
                                      stats_path, "--quiet"], capture_output=True, text=True)
                if run.returncode != 0:
                    print(f"{dim}D {depth:3d} deep {solver:6s} FAILED: {run.stderr.strip()}")
                    continue
                with open(stats_path) as f:
                    rows = list(csv.DictReader(f))
                start = float(rows[0]["kinetic_energy"]) + float(rows[0]["potential_energy"])
                gain = max(float(x["kinetic_energy"]) + float(x["potential_energy"])
                           for x in rows) - start
                print(f"{dim}D {depth:3d} deep {solver:6s} n={rows[0]['fluid_particles']:6s} "
                      f"steps {len(rows):4d} retries {rows[-1]['step_retries']}  "
                      f"rho max {100 * max(float(x['max_density_error']) for x in rows):.2f}% "
                      f"mean {100 * max(float(x['average_density_error']) for x in rows):.3f}%  "
                      f"v/vfall {max(float(x['max_speed']) for x in rows) / fall:.2f}  "
                      f"passes max {max(int(x['pressure_iterations']) for x in rows)}  "
                      f"E gain {100 * gain / float(rows[0]['potential_energy']):.3f}% of PE0",
                      flush=True)


if __name__ == "__main__":
    main()
