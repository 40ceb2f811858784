#!/usr/bin/env python3
"""Checks captures of the fluid surface view (desktop and browser tests), standard library only.

    surface_checks.py pool NORMALS.png THICKNESS.png SURFACE.png PARTICLES.png
        A pool at rest, one state drawn four ways (--view normals, thickness, surface, particles;
        panels hidden). Checks:
        - silhouette: the surface's coverage (non-black in the normals view) and the particles'
          (pixels of the water colour) differ in at most 3% of their union;
        - no holes: inside the coverage (2 px in from its edge) no surface pixel is black;
        - flat top: in the central half of the columns, the 8 topmost covered pixels (after 2 at
          the edge) are the top face: 90% of them have a world normal within 15 degrees of up;
        - thicker is darker: the thickest quarter of the covered pixels is darker on average than
          the thinnest quarter.
    surface_checks.py depth DEPTH.png SMOOTHED.png NORMALS.png
        The same pool's depth and smoothed-depth views (--view depth, smoothed-depth): both cover
        the normals view's pixels (3% of their union at most differ), nearer is brighter (the
        bottom quarter of the covered rows, the pool's front, brighter than the top quarter, its
        back, by 10 levels), and the smoothed depth is smoother: the mean difference between
        horizontal neighbours inside the coverage at most 0.8 of the raw depth's.
    surface_checks.py roughness DEPTH.png NORMALS.png MAX
        The depth check's smoothness metric alone, for any scene: the mean difference (levels of
        0..255) between horizontal neighbours of a depth view (--view depth or smoothed-depth)
        inside the normals view's coverage (6 px from its edge along the row). Fails above MAX.
    surface_checks.py bumps SURFACE.png NORMALS.png PERIOD MAX
        Bumps at the particle scale: the RMS colour (levels, the three channels' powers added) of
        a capture of the surface (shaded or the normals view) in the band
        of spatial frequencies within half an octave of 1 / PERIOD (PERIOD: the particle spacing
        on the screen in pixels, 2 r x pixels per unit at the fluid's depth), inside the fluid
        (the normals view's coverage, PERIOD pixels in from its edge). Each row and column is cut
        into runs inside the fluid at least 4 PERIOD long; a run's mean and slope are taken out,
        a Hann window applied, and the band's share of its power (discrete Fourier transform)
        counted; the runs are weighted by their length. A bump per splat puts power there; a
        smooth surface (and the slow changes of its shading) does not. Fails above MAX.
    surface_checks.py compare A.png B.png MAX_MEAN_DIFF
        Mean absolute difference per channel (0..255) and PSNR of two same-size pictures; fails
        above MAX_MEAN_DIFF.
    surface_checks.py compare-fluid A.png B.png MAX_MEAN_DIFF
        The same over the fluid only: the pixels of the water's colour in either picture (blue
        well above red, as is_particle). Fails above MAX_MEAN_DIFF, or when the fluid covers
        less than 1% of A or its coverage in A and B differs in more than 5% of their union (a
        fluid missing from one picture fails however small it is on screen).
    surface_checks.py whitewater ON.png OFF.png MIN
        Whitewater: two captures of the same state, with whitewater (spray, foam, bubbles) and
        without. Counts the pixels that it whitens: brighter in ON than in OFF by 24 levels or
        more in every channel and near-white in ON (each channel at least 150, red at least 0.7 of
        blue). Fails below MIN; with MIN negative, fails above -MIN (whitewater off or absent).

Prints one line per check ("ok" or "FAIL", the value and the bound); exits 1 if any failed.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from png_stats import read_png  # noqa: E402


def pixels(path):
    width, height, channels, rows = read_png(path)
    return width, height, [[tuple(row[x * channels:x * channels + 3]) for x in range(width)]
                           for row in rows]


def is_particle(c):
    """Flume's water colour (0.16, 0.47, 0.85) at any shade of its spheres (35% to 100%); the
    background and the white wireframe are not."""
    r, g, b = c
    return b > 50 and b > r + 25


def luminance(c):
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


failures = 0


def report(name, ok, value, bound):
    global failures
    failures += 0 if ok else 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {value} (bound {bound})")


def pool(normals_path, thickness_path, surface_path, particles_path):
    w, h, normals = pixels(normals_path)
    _, _, thickness = pixels(thickness_path)
    _, _, surface = pixels(surface_path)
    _, _, particles = pixels(particles_path)
    covered = [[sum(normals[y][x]) > 30 for x in range(w)] for y in range(h)]
    water = [[is_particle(particles[y][x]) for x in range(w)] for y in range(h)]
    union = sum(covered[y][x] or water[y][x] for y in range(h) for x in range(w))
    differ = sum(covered[y][x] != water[y][x] for y in range(h) for x in range(w))
    report("surface coverage (pixels)", union > 0.02 * w * h, union, f"> {int(0.02 * w * h)}")
    share = differ / max(union, 1)
    report("silhouettes differ in", share <= 0.03, f"{100 * share:.2f}% of their union", "3%")

    def inside(x, y, margin):
        return all(0 <= x + dx < w and 0 <= y + dy < h and covered[y + dy][x + dx]
                   for dx in (-margin, 0, margin) for dy in (-margin, 0, margin))

    interior = [(x, y) for y in range(h) for x in range(w) if inside(x, y, 2)]
    black = sum(1 for x, y in interior if max(surface[y][x]) < 8)
    report("black pixels inside the surface", black == 0, f"{black} of {len(interior)}", "0")

    columns = [x for x in range(w) if any(covered[y][x] for y in range(h))]
    lo, hi = columns[0], columns[-1]
    top = []
    for x in range(lo + (hi - lo) // 4, hi - (hi - lo) // 4):
        ys = [y for y in range(h) if covered[y][x]]
        top += [normals[y][x] for y in ys[2:10]]
    up = sum(1 for c in top if (c[1] / 255.0) * 2.0 - 1.0 > math.cos(math.radians(15)))
    report("top face normals within 15 deg of up", up >= 0.9 * len(top),
           f"{up} of {len(top)}", ">= 90%")

    covered_list = [(x, y) for x, y in interior]
    covered_list.sort(key=lambda p: thickness[p[1]][p[0]][0])
    quarter = max(len(covered_list) // 4, 1)
    thin = sum(luminance(surface[y][x]) for x, y in covered_list[:quarter]) / quarter
    thick = sum(luminance(surface[y][x]) for x, y in covered_list[-quarter:]) / quarter
    report("thickest quarter darker than thinnest", thick < thin,
           f"luminance {thick:.1f} vs {thin:.1f}", "thick < thin")


def depth(depth_path, smoothed_path, normals_path):
    w, h, normals = pixels(normals_path)
    covered = [[sum(normals[y][x]) > 30 for x in range(w)] for y in range(h)]
    rows = [y for y in range(h) if any(covered[y])]
    roughness = {}
    for name, path in (("depth", depth_path), ("smoothed depth", smoothed_path)):
        _, _, p = pixels(path)
        mine = [[sum(p[y][x]) > 30 for x in range(w)] for y in range(h)]
        union = sum(a or b for ra, rb in zip(covered, mine) for a, b in zip(ra, rb))
        differ = sum(a != b for ra, rb in zip(covered, mine) for a, b in zip(ra, rb))
        report(f"{name} covers the surface", union > 0 and differ <= 0.03 * union,
               f"{100 * differ / max(union, 1):.2f}% of their union differ", "3%")
        if not rows:
            continue
        quarter = max((rows[-1] - rows[0]) // 4, 1)

        def mean(y0, y1):
            v = [p[y][x][0] for y in range(y0, y1) for x in range(w) if covered[y][x]]
            return sum(v) / max(len(v), 1)

        near, far = mean(rows[-1] - quarter, rows[-1] + 1), mean(rows[0], rows[0] + quarter)
        report(f"{name}: nearer is brighter", near > far + 10, f"{near:.1f} vs {far:.1f}",
               "front > back + 10")
        steps = [abs(p[y][x][0] - p[y][x + 1][0]) for y in range(h) for x in range(2, w - 3)
                 if all(covered[y][x - 2:x + 4])]
        roughness[name] = sum(steps) / max(len(steps), 1)
    if len(roughness) == 2:
        report("the smoothed depth is smoother", roughness["smoothed depth"] <=
               0.8 * roughness["depth"], f"{roughness['smoothed depth']:.3f} vs "
               f"{roughness['depth']:.3f}", "<= 0.8 x")


def coverage_of(normals_path):
    w, h, normals = pixels(normals_path)
    return w, h, [[sum(normals[y][x]) > 30 for x in range(w)] for y in range(h)]


def roughness(depth_path, normals_path, bound):
    w, h, covered = coverage_of(normals_path)
    _, _, p = pixels(depth_path)
    steps = [abs(p[y][x][0] - p[y][x + 1][0]) for y in range(h) for x in range(2, w - 3)
             if all(covered[y][x - 2:x + 4])]
    value = sum(steps) / max(len(steps), 1)
    report("depth roughness (mean step between horizontal neighbours)",
           bool(steps) and value <= bound, f"{value:.3f} over {len(steps)} pixels", f"<= {bound}")


def band_power(values, period):
    """Mean square of `values` (mean and slope removed, Hann window) in the band of frequencies
    within half an octave of 1 / period, by direct DFT of those bins."""
    n = len(values)
    mean_x = (n - 1) / 2
    mean_v = sum(values) / n
    sxx = sum((i - mean_x) ** 2 for i in range(n))
    slope = sum((i - mean_x) * (v - mean_v) for i, v in enumerate(values)) / sxx
    window = [0.5 - 0.5 * math.cos(2 * math.pi * (i + 0.5) / n) for i in range(n)]
    x = [(v - mean_v - slope * (i - mean_x)) * window[i] for i, v in enumerate(values)]
    norm = sum(wi * wi for wi in window)
    f0 = 1.0 / period
    lo, hi = f0 / math.sqrt(2), min(f0 * math.sqrt(2), 0.5)
    total = 0.0
    for k in range(max(1, math.ceil(lo * n)), math.floor(hi * n) + 1):
        re = im = 0.0
        step = 2 * math.pi * k / n
        for i, xi in enumerate(x):
            re += xi * math.cos(step * i)
            im -= xi * math.sin(step * i)
        total += 2 * (re * re + im * im) / (n * norm)  # both signs of the frequency
    return total


def bumps(surface_path, normals_path, period, bound):
    w, h, covered = coverage_of(normals_path)
    _, _, surface = pixels(surface_path)
    margin = max(int(round(period)), 1)

    def inside(x, y):
        return all(0 <= x + dx < w and 0 <= y + dy < h and covered[y + dy][x + dx]
                   for dx in (-margin, 0, margin) for dy in (-margin, 0, margin))

    mask = [[inside(x, y) for x in range(w)] for y in range(h)]
    channels = [[[c[k] for c in row] for row in surface] for k in range(3)]
    lines = [[(x, y) for x in range(w)] for y in range(h)] + \
            [[(x, y) for y in range(h)] for x in range(w)]
    power = length = 0.0
    shortest = int(math.ceil(4 * period))
    for line in lines:
        run = []
        for point in line + [None]:
            if point is not None and mask[point[1]][point[0]]:
                run.append(point)
                continue
            if len(run) >= shortest:
                for image in channels:
                    power += band_power([image[y][x] for x, y in run], period) * len(run)
                length += len(run)
            run = []
    value = math.sqrt(power / length) if length else float("inf")
    report(f"bumps at the particle scale (period {period} px)", length > 0 and value <= bound,
           f"{value:.3f} levels RMS over {int(length)} pixels of runs", f"<= {bound}")


def compare(a_path, b_path, bound):
    wa, ha, a = pixels(a_path)
    wb, hb, b = pixels(b_path)
    if (wa, ha) != (wb, hb):
        report("same size", False, f"{wa}x{ha} vs {wb}x{hb}", "equal")
        return
    total = sum(abs(p - q) for ra, rb in zip(a, b) for ca, cb in zip(ra, rb)
                for p, q in zip(ca, cb))
    squared = sum((p - q) ** 2 for ra, rb in zip(a, b) for ca, cb in zip(ra, rb)
                  for p, q in zip(ca, cb))
    n = wa * ha * 3
    mean = total / n
    psnr = 10 * math.log10(255 ** 2 / (squared / n)) if squared else float("inf")
    report("mean abs difference", mean <= bound, f"{mean:.2f} (PSNR {psnr:.1f} dB)", bound)


def compare_fluid(a_path, b_path, bound):
    wa, ha, a = pixels(a_path)
    wb, hb, b = pixels(b_path)
    if (wa, ha) != (wb, hb):
        report("same size", False, f"{wa}x{ha} vs {wb}x{hb}", "equal")
        return
    in_a = in_b = union = both = total = 0
    for ra, rb in zip(a, b):
        for ca, cb in zip(ra, rb):
            wa_, wb_ = is_particle(ca), is_particle(cb)
            in_a += wa_
            in_b += wb_
            both += wa_ and wb_
            if wa_ or wb_:
                union += 1
                total += sum(abs(p - q) for p, q in zip(ca, cb))
    coverage = in_a / (wa * ha)
    report("fluid covers the picture", coverage >= 0.01, f"{100 * coverage:.1f}% of A", ">= 1%")
    mismatch = (union - both) / union if union else 1.0
    report("fluid coverage matches", mismatch <= 0.05,
           f"{in_a} vs {in_b} pixels, {100 * mismatch:.2f}% of their union differ", "<= 5%")
    mean = total / (3 * union) if union else float("inf")
    report("mean abs difference over the fluid", mean <= bound, f"{mean:.2f} ({union} pixels)",
           bound)


def whitewater(on_path, off_path, bound):
    wa, ha, a = pixels(on_path)
    wb, hb, b = pixels(off_path)
    if (wa, ha) != (wb, hb):
        report("same size", False, f"{wa}x{ha} vs {wb}x{hb}", "equal")
        return
    white = 0
    for ra, rb in zip(a, b):
        for ca, cb in zip(ra, rb):
            whiter = all(p - q >= 24 for p, q in zip(ca, cb))
            near_white = min(ca) >= 150 and ca[0] >= 0.7 * ca[2]
            white += whiter and near_white
    if bound >= 0:
        report("whitewater pixels", white >= bound, white, f">= {bound:g}")
    else:
        report("whitewater pixels", white <= -bound, white, f"<= {-bound:g}")


def main():
    if sys.argv[1] == "pool":
        pool(*sys.argv[2:6])
    elif sys.argv[1] == "depth":
        depth(*sys.argv[2:5])
    elif sys.argv[1] == "roughness":
        roughness(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif sys.argv[1] == "bumps":
        bumps(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]))
    elif sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif sys.argv[1] == "compare-fluid":
        compare_fluid(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    elif sys.argv[1] == "whitewater":
        whitewater(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit(__doc__)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
