#!/usr/bin/env python3
"""Flume and SPlisHSPlasH on the same 3D dam break, side by side, on one machine in one run.

    scripts/side-by-side.py [--until 0.25] [--threads 2] [--solvers wcsph,dfsph,pcisph,pbf]
                            [--splash stock,rest] [--timeout 600] [--anchors DIR]
                            [--flume-bench PATH] [--before PATH] [--flume-set KEY=VALUE ...]
                            [--markdown FILE] [--jsonl FILE]

Flume's side is flume-bench's whole run of dam-break-3d at r = 0.0106 (103,823 particles); the
other is SPlisHSPlasH as built by ../shared/anchor-splash/build.sh (its bench_db3d_r0106_*
scenes, run as that folder's run.sh does). Runs alternate Flume, SPlisHSPlasH stock, SPlisHSPlasH
at rest density, per solver and thread count, so a burst of load on a shared machine spreads over
all three. Every figure is wall seconds per simulated second per 100k fluid particles, from each
program's own step timer, so different particle counts compare fairly.

--before PATH adds a second flume-bench (an older commit's build, say) to the same rotation, run
first in each row: the table gains its column and Flume's gain over it, so that a before-and-after
comparison and both against SPlisHSPlasH come from one run on one machine. --flume-set KEY=VALUE
(repeatable) overrides a scene parameter in Flume's runs (flume-bench --set), e.g. SPlisHSPlasH's
WCSPH equation of state and step: speed_of_sound=18.7 (its stiffness 50,000 with exponent 7:
c^2 = 7 B / rho0), time_step_mode=fixed, time_step=0.0005.

Why two SPlisHSPlasH runs: it gives every particle the volume 0.8 (2r)^3 (FluidModel.cpp) but
samples its fluid block on a cubic grid of spacing 2r, so its stock dam break starts at 0.80 of
rest density (an easier problem: its solvers clamp negative pressures), while Flume's starts at
rest density. "stock" runs its scenes as they are (97,336 particles); "rest" replaces the fluid
block by a particle file (flume_rest_block_r0106.pda, written with the flume_*_rest.json scenes
into its Scenes folder) holding a lattice of spacing 2r 0.8^(1/3), so that each particle's volume
is its lattice cell and the water starts at 1.004 rest density (125,000 particles, same block).

PCISPH: SPlisHSPlasH's scenes give no PCISPH section, so its solve holds its default tolerance
(maxError 0.01%, five times tighter than Flume's density_tolerance of 0.05%) and its stock run
does not reach t = 0.25 s in 18 minutes. Both of its PCISPH runs therefore get a PCISPH section
with maxError --pcisph-max-error (default 0.05, Flume's tolerance and the one its DFSPH scene
sets), written as flume_<scene>_maxerror<E>.json beside it; --pcisph-max-error 0 runs its scenes
as they are. (At 0.05% it did not reach t = 0.25 s in 420 s either, 2026-12-05: each of its
iterations looks up the volume maps at all predicted positions. docs/performance.md compares
Flume's PCISPH with its WCSPH instead.)
"""
import argparse
import csv
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLVERS = ["wcsph", "dfsph", "pcisph", "pbf"]
# SPlisHSPlasH's benchmark scene per solver (written by ../shared/anchor-splash/make_scenes.py).
SPLASH_SCENES = {"wcsph": "bench_db3d_r0106_wcsph", "dfsph": "bench_db3d_r0106_dfsph_cfl",
                 "pcisph": "bench_db3d_r0106_pcisph_cfl", "pbf": "bench_db3d_r0106_pbf_cfl"}
VARIANTS = ["stock", "rest"]
# SPlisHSPlasH's particle volume is VOLUME_FACTOR (2r)^3 (FluidModel.cpp).
VOLUME_FACTOR = 0.8
BUILD_HINT = ("build it with MIRRORS=<git mirrors> A=<anchors dir> "
              "../shared/anchor-splash/build.sh (or point --anchors or $A at an existing build)")


class Setup(Exception):
    """Something to build or fix before measuring; the message says what."""


# ---------------------------------------------------------------------------------------------
# Prerequisites and the rest-density scenes


def scenes_dir(anchors):
    return os.path.join(anchors, "SPlisHSPlasH", "data", "Scenes")


def splash_binary(anchors):
    return os.path.join(anchors, "SPlisHSPlasH", "bin", "SPHSimulator")


def check_flume(path, option="--flume-bench"):
    if not os.access(path, os.X_OK):
        raise Setup(f"flume-bench not found at {path}: build it with cmake --preset "
                    "native-release && cmake --build build/native-release --target flume-bench "
                    f"(or pass {option})")


def check_anchors(anchors, solvers):
    if not os.path.isdir(anchors):
        raise Setup(f"no SPlisHSPlasH anchors directory at {anchors}: {BUILD_HINT}")
    if not os.access(splash_binary(anchors), os.X_OK):
        raise Setup(f"SPlisHSPlasH is not built in {anchors} "
                    f"(no {splash_binary(anchors)}): {BUILD_HINT}")
    scenes = [SPLASH_SCENES[s] + ".json" for s in solvers]
    missing = [s for s in scenes if not os.path.isfile(os.path.join(scenes_dir(anchors), s))]
    if missing:
        raise Setup(f"SPlisHSPlasH's bench scenes are missing in {scenes_dir(anchors)} "
                    f"({', '.join(missing)}): {BUILD_HINT} (it runs make_scenes.py)")


def rest_lattice(scene):
    """The rest-density lattice for the scene's one fluid block: first corner, spacing, counts."""
    r = scene["Configuration"]["particleRadius"]
    block = scene["FluidBlocks"][0]
    lo = [s + t for s, t in zip(block["start"], block["translation"])]
    width = [e - s for s, e in zip(block["start"], block["end"])]
    spacing = 2 * r * VOLUME_FACTOR ** (1 / 3)  # volume 0.8 (2r)^3 = spacing^3
    # Placed as SPlisHSPlasH places its own grid: from 2r inside the block's corner, as many as
    # fit before the far side (46 per axis at spacing 2r, 50 at this spacing, in the 1 m block).
    counts = [round(w / spacing) - 1 for w in width]
    first = [x + 2 * r for x in lo]
    return first, spacing, counts


def pda_text(first, spacing, counts):
    """A Maya-ASCII particle file (Partio's PDA) with the positions of a cubic lattice."""
    nx, ny, nz = counts
    lines = ["ATTRIBUTES", " position", "TYPES", " V", f"NUMBER_OF_PARTICLES: {nx * ny * nz}",
             "BEGIN DATA"]
    for i in range(nx):
        x = first[0] + i * spacing
        for j in range(ny):
            y = first[1] + j * spacing
            for k in range(nz):
                lines.append(f"{x:.7f} {y:.7f} {first[2] + k * spacing:.7f}")
    return "\n".join(lines) + "\n"


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, "w") as f:
        f.write(text)


def write_rest_scene(anchors, solver):
    """Writes flume_<stock scene>_rest.json and its particle file; returns the scene's path."""
    folder = scenes_dir(anchors)
    with open(os.path.join(folder, SPLASH_SCENES[solver] + ".json")) as f:
        scene = json.load(f)
    if len(scene.get("FluidBlocks", [])) != 1:
        raise Setup(f"{SPLASH_SCENES[solver]}.json: expected exactly one FluidBlock")
    r = scene["Configuration"]["particleRadius"]
    particles = f"flume_rest_block_r{str(r).replace('0.', '', 1)}.pda"  # r0106 for 0.0106
    write_if_changed(os.path.join(folder, particles), pda_text(*rest_lattice(scene)))
    del scene["FluidBlocks"]
    # The particle file's path is relative to the scene file.
    scene["FluidModels"] = [{"particleFile": particles, "translation": [0, 0, 0],
                             "scale": [1, 1, 1]}]
    path = os.path.join(folder, f"flume_{SPLASH_SCENES[solver]}_rest.json")
    write_if_changed(path, json.dumps(scene, indent=1) + "\n")
    return path


def write_tolerance_scene(path, solver, max_error):
    """For PCISPH, the scene at `path` with maxError `max_error` (%) in a PCISPH section, written
    beside it; returns the path to run (the scene itself for other solvers or max_error 0)."""
    if solver != "pcisph" or not max_error:
        return path
    with open(path) as f:
        scene = json.load(f)
    scene.setdefault("Configuration", {})["PCISPH"] = {"maxError": max_error}
    stem = os.path.splitext(os.path.basename(path))[0]
    if not stem.startswith("flume_"):
        stem = "flume_" + stem
    out = os.path.join(os.path.dirname(path), f"{stem}_maxerror{max_error:g}.json")
    write_if_changed(out, json.dumps(scene, indent=1) + "\n")
    return out


# ---------------------------------------------------------------------------------------------
# Flume


def parse_shares(text):
    """flume-bench's CSV stage shares, "name=0.25;other=0.75;", as {name: fraction}."""
    shares = {}
    for item in filter(None, text.split(";")):
        name, _, value = item.partition("=")
        shares[name] = float(value)
    return shares


def run_flume(bench, solver, threads, until, timeout, overrides=()):
    with tempfile.TemporaryDirectory() as tmp:
        out_csv = os.path.join(tmp, "runs.csv")
        cmd = [bench, "--only", "runs", "--case", f"run-3d-{solver}", "--threads", str(threads),
               "--until", str(until), "--run-csv", out_csv]
        for setting in overrides:
            cmd += ["--set", setting]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"did not reach t = {until} in {timeout:g} s"}
        if done.returncode != 0 or not os.path.exists(out_csv):
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
            return {"error": f"flume-bench failed (status {done.returncode}): {' '.join(tail)}"}
        with open(out_csv) as f:
            row = next(csv.DictReader(f))
    return {
        "particles": int(row["particles"]),
        "steps": int(row["steps"]),
        "simulated_s": float(row["until_s"]),
        "wall_s": float(row["wall_s"]),
        "per_100k": float(row["wall_s_per_simulated_s_per_100k"]),
        "dt_ms": float(row["mean_dt_ms"]),
        "passes": float(row["passes_mean"]) if int(row["passes_max"]) else None,
        "passes_max": int(row["passes_max"]),
        "div_passes": float(row["divergence_passes_mean"]) if int(row["divergence_passes_max"])
        else None,
        "div_passes_max": int(row["divergence_passes_max"]),
        "avg_err": float(row["average_density_error"]),
        "shares": parse_shares(row["stage_shares"]),
    }


# ---------------------------------------------------------------------------------------------
# SPlisHSPlasH


def last_number(text, pattern):
    found = re.findall(pattern, text)
    return float(found[-1]) if found else None


def parse_splash(text):
    """SPlisHSPlasH's end-of-run timers and counters (as ../shared/anchor-splash/parse.py)."""
    number = r"([0-9.eE+-]+)"
    r = {
        "particles": last_number(text, r"Number of fluid particles: (\d+)"),
        "avg_ms": last_number(text, rf"Average time: SimStep: {number} ms"),
        "sum_ms": last_number(text, rf"Time sum: SimStep: {number} ms"),
        "dt": last_number(text, rf"Average number: Time step size: {number}"),
        "simulated_s": last_number(text, rf"Total number: Time step size: {number}"),
        # Solver iterations per step: DFSPH and PBF count theirs; PCISPH and WCSPH print none.
        "passes": last_number(text, rf"Average number: (?:DFSPH|PBF) - iterations: {number}"),
        "div_passes": last_number(text, rf"Average number: DFSPH - iterationsV: {number}"),
    }
    if r["particles"] is not None:
        r["particles"] = int(r["particles"])
    r["steps"] = round(r["sum_ms"] / r["avg_ms"]) if r["sum_ms"] and r["avg_ms"] else None
    stages = dict((name, float(ms)) for name, ms in
                  re.findall(rf"Time sum: (\w+): {number} ms", text) if name != "SimStep")
    r["shares"] = {name: ms / r["sum_ms"] for name, ms in stages.items()} if r["sum_ms"] else {}
    return r


def run_splash(anchors, scene, threads, until, timeout):
    # Its output (a log, nothing else with the exports off) goes where run.sh puts it.
    name = os.path.splitext(os.path.basename(scene))[0]
    out = os.path.join(anchors, "bench", "out", f"{name}_t{threads}_s{until:g}")
    os.makedirs(out, exist_ok=True)
    cmd = [splash_binary(anchors), "--no-gui", "--no-initial-pause", "--stopAt", str(until),
           "--output-dir", out, scene]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    start = time.monotonic()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
        text, error = done.stdout + done.stderr, None
        if done.returncode != 0:
            error = f"SPHSimulator exited with status {done.returncode} (output in {out})"
    except subprocess.TimeoutExpired as e:
        text = "".join(s.decode(errors="replace") if isinstance(s, bytes) else (s or "")
                       for s in (e.stdout, e.stderr))
        error = f"did not reach t = {until} in {timeout:g} s"
    r = parse_splash(text)
    r["process_s"] = time.monotonic() - start
    if error is None and r["sum_ms"] is None:
        error = f"SPHSimulator printed no step timer (output in {out})"
    if error:
        r["error"] = error
        return r
    # Its own step timer, over the simulated time it reached (it stops at the first step past T).
    simulated = r["simulated_s"] or until
    r["simulated_s"] = simulated
    r["wall_s"] = r["sum_ms"] / 1000.0
    r["per_100k"] = r["wall_s"] / simulated / r["particles"] * 1e5
    r["dt_ms"] = r["dt"] * 1e3 if r["dt"] else simulated / r["steps"] * 1e3
    return r


# ---------------------------------------------------------------------------------------------
# Reporting


def format_shares(shares, limit=4):
    top = sorted(shares.items(), key=lambda kv: -kv[1])[:limit]
    return " ".join(f"{name} {100 * share:.0f}%" for name, share in top if share >= 0.005)


def format_passes(r):
    if r.get("passes") is None:
        return ""
    text = f"{r['passes']:.2f}"
    if r.get("div_passes") is not None:
        text += f" + {r['div_passes']:.2f} div."
    return text + " passes"


def summary(r):
    """One cell: the speed figure, then steps, mean dt and passes."""
    if r is None:
        return "-"
    if "error" in r:
        steps = f", {r['steps']} steps done" if r.get("steps") else ""
        return f"{r['error']}{steps}"
    detail = [f"{r['steps']} steps", f"dt {r['dt_ms']:.3f} ms"]
    if format_passes(r):
        detail.append(format_passes(r))
    return f"{r['per_100k']:.1f} ({', '.join(detail)})"


def ahead(flume, splash):
    if not flume or not splash or "per_100k" not in flume or "per_100k" not in splash:
        return "-"
    return f"{splash['per_100k'] / flume['per_100k']:.2f}x"


def result_line(who, solver, threads, r):
    head = f"{solver:6s} {threads}t {who:20s}"
    if "error" in r:
        return f"{head} {summary(r)}"
    extra = f"{r['particles']} particles, wall {r['wall_s']:.1f} s to t = {r['simulated_s']:.3f}"
    if r.get("avg_err") is not None:
        extra += f", avg err {100 * r['avg_err']:.3f}%"
    return f"{head} {summary(r)} | {extra} | {format_shares(r['shares'])}"


def table_rows(rows, variants, before=False):
    header = ["solver", "threads", "Flume, s per sim-s per 100k"]
    header += ["Flume before"] if before else []
    header += [f"SPlisHSPlasH {'stock' if v == 'stock' else 'at rest density'}" for v in variants]
    header += ["Flume ahead of before"] if before else []
    header += [f"Flume ahead of {v}" for v in variants]
    header += [f"before ahead of {v}" for v in variants] if before else []
    body = []
    for row in rows:
        cells = [row["solver"].upper(), str(row["threads"]), summary(row["flume"])]
        cells += [summary(row.get("before"))] if before else []
        cells += [summary(row.get(v)) for v in variants]
        cells += [ahead(row["flume"], row.get("before"))] if before else []
        cells += [ahead(row["flume"], row.get(v)) for v in variants]
        cells += [ahead(row.get("before"), row.get(v)) for v in variants] if before else []
        body.append(cells)
    return header, body


def print_table(header, body):
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]
    for line in [header, ["-" * w for w in widths]] + body:
        print(" | ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def write_markdown(path, header, body, args):
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    threads = ",".join(map(str, args.threads))
    lines = [
        f"# Flume beside SPlisHSPlasH: 3D dam break, t = 0 to {args.until} s", "",
        f"{stamp} on `{socket.gethostname()}` ({cpu_model()}, {os.cpu_count()} cores), "
        f"threads {threads}.", "",
        "Figures: wall seconds per simulated second per 100k fluid particles (lower is faster), "
        "from each program's own step timer; then steps, mean time step and solver passes per "
        "step. \"At rest density\": SPlisHSPlasH's fluid block resampled so that it starts at "
        "rest density, as Flume's does (its stock block starts at 0.80 of it).", ""]
    if "pcisph" in args.solvers and args.pcisph_max_error:
        lines += [f"SPlisHSPlasH's PCISPH runs at maxError {args.pcisph_max_error:g}% (its "
                  "default, 0.01%, is five times Flume's tolerance).", ""]
    if args.before:
        lines += [f"Flume: `{args.flume_bench}`; Flume before: `{args.before}`.", ""]
    if args.flume_set:
        lines += ["Flume's runs with " + ", ".join(f"`{s}`" for s in args.flume_set) + ".", ""]
    lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def append_jsonl(path, record):
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")


# ---------------------------------------------------------------------------------------------


def parse_args():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--flume-bench", help="default: build/native-release/bench/flume-bench",
                   default=os.path.join(REPO, "build", "native-release", "bench", "flume-bench"))
    p.add_argument("--before", help="a second flume-bench (an older commit's build) run first in "
                   "each row, for a before-and-after table from the same run")
    p.add_argument("--flume-set", action="append", default=[], metavar="KEY=VALUE",
                   help="a scene parameter for Flume's runs (flume-bench --set; repeatable)")
    p.add_argument("--anchors", default=os.environ.get("A", "/tmp/anchors"),
                   help="where ../shared/anchor-splash built SPlisHSPlasH (default $A or "
                   "/tmp/anchors)")
    p.add_argument("--until", type=float, default=0.25,
                   help="simulated seconds from t = 0 (default 0.25)")
    p.add_argument("--threads", default="2", help="thread counts, e.g. 1,2 (default 2)")
    p.add_argument("--solvers", default=",".join(SOLVERS),
                   help="default: " + ",".join(SOLVERS))
    p.add_argument("--splash", default=",".join(VARIANTS),
                   help="SPlisHSPlasH variants: stock, rest or both (default)")
    p.add_argument("--timeout", type=float, default=600,
                   help="seconds per run before giving up on it (default 600)")
    p.add_argument("--pcisph-max-error", type=float, default=0.05,
                   help="SPlisHSPlasH's PCISPH tolerance in %% (default 0.05, Flume's; 0: its "
                   "scenes as they are, whose default is 0.01)")
    p.add_argument("--markdown", help="also write the table here as Markdown")
    p.add_argument("--jsonl", help="append every run's raw result here")
    args = p.parse_args()

    def split(text, allowed, what):
        items = [s.strip() for s in text.split(",") if s.strip()]
        bad = [s for s in items if allowed is not None and s not in allowed]
        if bad:
            p.error(f"--{what}: unknown {', '.join(bad)} (choose from {', '.join(allowed)})")
        return items

    args.solvers = split(args.solvers, SOLVERS, "solvers")
    args.splash = split(args.splash, VARIANTS, "splash")
    try:
        args.threads = [int(t) for t in split(args.threads, None, "threads")]
    except ValueError:
        p.error(f"--threads: expected a list like 1,2, found '{args.threads}'")
    return args


def measure(args, solver, threads, scenes):
    """One row: Flume, then each SPlisHSPlasH variant, each printed as it completes."""
    row = {"solver": solver, "threads": threads}
    runs = [("flume", "Flume", lambda: run_flume(args.flume_bench, solver, threads, args.until,
                                                 args.timeout, args.flume_set))]
    if args.before:
        runs.insert(0, ("before", "Flume before",
                        lambda: run_flume(args.before, solver, threads, args.until, args.timeout,
                                          args.flume_set)))
    for v in args.splash:
        runs.append((v, f"SPlisHSPlasH {v}",
                     lambda v=v: run_splash(args.anchors, scenes[(solver, v)], threads, args.until,
                                            args.timeout)))
    for key, who, run in runs:
        r = run()
        row[key] = r
        print(result_line(who, solver, threads, r), flush=True)
        if args.jsonl:
            now = datetime.datetime.now().isoformat(timespec="seconds")
            append_jsonl(args.jsonl, dict(r, program=who, solver=solver, threads=threads,
                                          until=args.until, host=socket.gethostname(), date=now))
    return row


def main():
    args = parse_args()
    try:
        check_flume(args.flume_bench)
        if args.before:
            check_flume(args.before, "--before")
        scenes = {}
        if args.splash:
            check_anchors(args.anchors, args.solvers)
            for s in args.solvers:
                scenes[(s, "stock")] = os.path.join(scenes_dir(args.anchors),
                                                    SPLASH_SCENES[s] + ".json")
                if "rest" in args.splash:
                    scenes[(s, "rest")] = write_rest_scene(args.anchors, s)
            for key, path in scenes.items():
                scenes[key] = write_tolerance_scene(path, key[0], args.pcisph_max_error)
    except Setup as e:
        sys.exit(f"side-by-side.py: {e}")

    print(f"t = 0 to {args.until} s, threads {','.join(map(str, args.threads))}, "
          f"{socket.gethostname()} ({cpu_model()})", flush=True)
    if args.flume_set:
        print("Flume's runs with " + " ".join(args.flume_set), flush=True)
    if "pcisph" in args.solvers and args.splash and args.pcisph_max_error:
        print(f"SPlisHSPlasH's PCISPH at maxError {args.pcisph_max_error:g}% "
              "(its default: 0.01%)", flush=True)
    rows = [measure(args, s, t, scenes) for s in args.solvers for t in args.threads]
    header, body = table_rows(rows, args.splash, before=bool(args.before))
    print()
    print_table(header, body)
    if args.markdown:
        write_markdown(args.markdown, header, body, args)


if __name__ == "__main__":
    main()
