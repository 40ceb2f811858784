#!/usr/bin/env python3
"""Checks captures of particles coloured by a quantity (desktop test), standard library only.

A coloured pixel is one far from the background (0.08, 0.09, 0.11) (channels summed, more than 40
apart) and not a neutral grey (its channels differ by more than 20): the particles' sphere-shaded
colours are; the background and the walls' grey are not.

    colour_checks.py vertical A.png
        The coloured pixels' mean colour over the top eighth of their rows and over the bottom
        eighth differ by more than 40 in some channel (a quantity that grows with depth,
        as the pressure of water at rest does).
    colour_checks.py recoloured A.png B.png
        The same particles in other colours (the same field through another colour map): over
        the pixels off the background in both (at least 1% of the picture; the maps' dark ends
        shade into the background differently, so the coverages are not compared) the mean
        absolute difference is more than 20 per channel.

Prints one line per check ("ok" or "FAIL", the value and the bound); exits 1 if any failed.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from surface_checks import pixels, report  # noqa: E402
import surface_checks  # noqa: E402


def drawn(c):
    return abs(c[0] - 20) + abs(c[1] - 23) + abs(c[2] - 28) > 40


def coloured(c):
    return drawn(c) and max(c) - min(c) > 20


def vertical(path):
    w, h, p = pixels(path)
    rows = [y for y in range(h) if any(coloured(p[y][x]) for x in range(w))]
    if not rows:
        report("coloured pixels", False, 0, "> 0")
        return
    quarter = max((rows[-1] - rows[0] + 1) // 8, 1)

    def mean(y0, y1):
        cs = [p[y][x] for y in range(y0, y1) for x in range(w) if coloured(p[y][x])]
        return [sum(c[i] for c in cs) / max(len(cs), 1) for i in range(3)]

    top, bottom = mean(rows[0], rows[0] + quarter), mean(rows[-1] - quarter + 1, rows[-1] + 1)
    diff = max(abs(a - b) for a, b in zip(top, bottom))
    report("top and bottom eighths' colours differ", diff > 40,
           f"{diff:.1f} (top {[round(v) for v in top]}, bottom {[round(v) for v in bottom]})",
           "> 40")


def recoloured(a_path, b_path):
    w, h, a = pixels(a_path)
    _, _, b = pixels(b_path)
    union = both = total = 0
    for ra, rb in zip(a, b):
        for ca, cb in zip(ra, rb):
            in_a, in_b = drawn(ca), drawn(cb)
            union += in_a or in_b
            if in_a and in_b:
                both += 1
                total += sum(abs(p - q) for p, q in zip(ca, cb))
    report("pixels drawn in both", both >= 0.01 * w * h, both, f">= {int(0.01 * w * h)}")
    mean = total / (3 * max(both, 1))
    report("in other colours", mean > 20, f"{mean:.1f} mean abs difference", "> 20")


def main():
    if sys.argv[1] == "vertical":
        vertical(sys.argv[2])
    elif sys.argv[1] == "recoloured":
        recoloured(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
    sys.exit(1 if surface_checks.failures else 0)


if __name__ == "__main__":
    main()
