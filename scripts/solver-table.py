#!/usr/bin/env python3
"""Measures every pressure solver on the same scene and prints the solver table of
docs/performance.md.

    scripts/solver-table.py [--cli build/native-release/src/cli/flume-cli] [--scene dam-break-2d]
                            [--until 2] [--threads 2] [--set key=value ...]

For each solver: one run with the scene's adaptive (CFL) time step, from which the average density
error over all steps, the average and largest solver iterations per step, the average time step
and the wall time; then runs with a fixed time step, from the largest candidate down (steps a
factor sqrt(2) apart), to find the largest that is stable: the run finishes without the
simulation becoming invalid (flume-cli exit status 3), without losing particles through a wall,
and with an average density error under 1% (a step at which a solver merely survives while the
water compresses by several percent is not one anybody would use). Unstable runs blow up early,
so searching from the top is cheap. A measurement, not a test: it prints, it asserts nothing.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

SOLVERS = ["wcsph", "pcisph", "dfsph", "pbf"]
# Fixed steps tried, in seconds, a factor sqrt(2) apart; the search goes down from the largest and
# stops at the first that is stable.
STEPS = [round(1e-4 * 2 ** (k / 2), 7) for k in range(13)]  # 1e-4 .. 6.4e-3
MAX_DENSITY_ERROR = 0.01


def run(cli, scene, solver, until, threads, extra, stats=None):
    cmd = [cli, "run", scene, "--until", str(until), "--threads", str(threads), "--quiet",
           "--set", f"solver={solver}"]
    for s in extra:
        cmd += ["--set", s]
    if stats:
        cmd += ["--stats", stats]
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    return done, time.monotonic() - start


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=os.path.join(here, "..", "build", "native-release", "src",
                                                      "cli", "flume-cli"))
    parser.add_argument("--scene", default="dam-break-2d")
    parser.add_argument("--until", type=float, default=2.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], dest="sets")
    parser.add_argument("--solvers", default=",".join(SOLVERS),
                        help="comma-separated solvers to measure (default: all)")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as work:
        for solver in args.solvers.split(","):
            stats = os.path.join(work, f"{solver}.csv")
            done, seconds = run(args.cli, args.scene, solver, args.until, args.threads, args.sets,
                                stats)
            if done.returncode != 0:
                print(f"{solver}: the CFL run failed: {done.stderr.strip()}", file=sys.stderr)
                rows.append((solver, None))
                continue
            with open(stats) as f:
                data = list(csv.DictReader(f))
            n = len(data)
            error = sum(float(r["average_density_error"]) for r in data) / n
            iterations = [int(r["pressure_iterations"]) for r in data]
            dt = sum(float(r["dt"]) for r in data) / n
            largest = None
            for step in reversed(STEPS):
                fixed_stats = os.path.join(work, f"{solver}-{step}.csv")
                fixed, _ = run(args.cli, args.scene, solver, args.until, args.threads,
                               args.sets + ["time_step_mode=fixed", f"time_step={step}"],
                               fixed_stats)
                if fixed.returncode != 0 or "removed 0" not in fixed.stdout:
                    continue
                with open(fixed_stats) as f:
                    fixed_data = list(csv.DictReader(f))
                fixed_error = sum(float(r["average_density_error"]) for r in fixed_data)
                if fixed_error / max(len(fixed_data), 1) < MAX_DENSITY_ERROR:
                    largest = step
                    break
            rows.append((solver, dict(steps=n, error=error, it_mean=sum(iterations) / n,
                                      it_max=max(iterations), dt=dt, seconds=seconds,
                                      largest=largest)))
            print(f"{solver}: done: {rows[-1][1]}", file=sys.stderr, flush=True)

    print(f"{args.scene}, to t = {args.until} s, {args.threads} threads"
          + (", " + ", ".join(args.sets) if args.sets else ""))
    print()
    print("| solver | steps (CFL) | mean dt | avg density error | solver iterations per step "
          "(mean / max) | wall time | largest stable fixed dt |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for solver, r in rows:
        if r is None:
            print(f"| `{solver}` | failed | | | | | |")
            continue
        its = "-" if solver == "wcsph" else f"{r['it_mean']:.1f} / {r['it_max']}"
        largest = f"{r['largest']:.2g} s" if r["largest"] else f"< {STEPS[0]:.2g} s"
        print(f"| `{solver}` | {r['steps']} | {r['dt']:.2e} s | {100 * r['error']:.3f}% | {its} "
              f"| {r['seconds']:.1f} s | {largest} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
