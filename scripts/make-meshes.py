#!/usr/bin/env python3
"""Writes the meshes of the built-in scenes (scenes/meshes/*.obj): closed, triangles facing out.

    scripts/make-meshes.py        # rewrites scenes/meshes/

cube       the unit cube [0, 1]^3, 12 triangles (tests compare it with the box obstacle)
icosphere  a sphere of radius 1 from a 3 times subdivided icosahedron, 1280 triangles
ramp       a wedge 1 long, 1 wide, 0.5 high: its slope rises along +x
tank       a round tank of radius 1: a cylinder (y = 0 to 1) on a
           hemispherical bottom (y = -1 to 0), closed by a flat lid
"""
import math
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "scenes" / "meshes"


def write(name, vertices, triangles, comment):
    lines = [f"# {name}.obj: {comment} (written by scripts/make-meshes.py)"]
    lines += [f"v {x:.9g} {y:.9g} {z:.9g}" for x, y, z in vertices]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in triangles]
    (OUT / f"{name}.obj").write_text("\n".join(lines) + "\n")


def cube():
    v = [(x, y, z) for z in (0, 1) for y in (0, 1) for x in (0, 1)]
    quads = [(0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)]
    t = []
    for a, b, c, d in quads:
        t += [(a, b, c), (a, c, d)]
    return v, t


def icosphere(levels):
    p = (1 + math.sqrt(5)) / 2
    v = [(-1, p, 0), (1, p, 0), (-1, -p, 0), (1, -p, 0), (0, -1, p), (0, 1, p), (0, -1, -p),
         (0, 1, -p), (p, 0, -1), (p, 0, 1), (-p, 0, -1), (-p, 0, 1)]
    v = [tuple(c / math.sqrt(1 + p * p) for c in q) for q in v]
    t = [(0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4),
         (11, 10, 2), (10, 7, 6), (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8),
         (3, 8, 9), (4, 9, 5), (2, 4, 11), (6, 2, 10), (8, 6, 7), (9, 8, 1)]
    for _ in range(levels):
        middle = {}

        def mid(a, b):
            key = (min(a, b), max(a, b))
            if key not in middle:
                m = [(v[a][k] + v[b][k]) / 2 for k in range(3)]
                n = math.sqrt(sum(c * c for c in m))
                v.append(tuple(c / n for c in m))
                middle[key] = len(v) - 1
            return middle[key]

        new = []
        for a, b, c in t:
            ab, bc, ca = mid(a, b), mid(b, c), mid(c, a)
            new += [(a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca)]
        t = new
    return v, t


def ramp():
    # Cross-section in x-y: (0,0) (1,0) (1,0.5); extruded along z from 0 to 1.
    v = [(0, 0, 0), (1, 0, 0), (1, 0.5, 0), (0, 0, 1), (1, 0, 1), (1, 0.5, 1)]
    t = [(0, 2, 1), (3, 4, 5),            # ends
         (0, 1, 4), (0, 4, 3),            # bottom
         (1, 2, 5), (1, 5, 4),            # back wall (x = 1)
         (0, 3, 5), (0, 5, 2)]            # slope
    return v, t


def tank(segments=48, rings=12):
    v, t = [], []
    # Rings from the bottom pole up: the hemisphere, then the rim at y = 1.
    v.append((0.0, -1.0, 0.0))
    profile = [(math.sin(math.pi / 2 * i / rings), -math.cos(math.pi / 2 * i / rings))
               for i in range(1, rings + 1)] + [(1.0, 1.0)]
    for radius, y in profile:
        for s in range(segments):
            a = 2 * math.pi * s / segments
            v.append((radius * math.cos(a), y, radius * math.sin(a)))
    ring = lambda i, s: 1 + i * segments + s % segments
    for s in range(segments):
        t.append((0, ring(0, s), ring(0, s + 1)))
    for i in range(len(profile) - 1):
        for s in range(segments):
            a, b, c, d = ring(i, s), ring(i, s + 1), ring(i + 1, s + 1), ring(i + 1, s)
            t += [(a, d, c), (a, c, b)]
    v.append((0.0, 1.0, 0.0))
    top = len(v) - 1
    last = len(profile) - 1
    for s in range(segments):
        t.append((top, ring(last, s + 1), ring(last, s)))
    return v, t


def orient_outwards(v, t):
    vol = sum(
        v[a][0] * (v[b][1] * v[c][2] - v[b][2] * v[c][1]) -
        v[a][1] * (v[b][0] * v[c][2] - v[b][2] * v[c][0]) +
        v[a][2] * (v[b][0] * v[c][1] - v[b][1] * v[c][0]) for a, b, c in t)
    return t if vol > 0 else [(a, c, b) for a, b, c in t]


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (v, t), comment in [
        ("cube", cube(), "the unit cube [0, 1]^3"),
        ("icosphere", icosphere(3), "a sphere of radius 1, 3 times subdivided icosahedron"),
        ("ramp", ramp(), "a wedge 1 x 0.5 x 1 whose slope rises along +x"),
        ("tank", tank(), "a round tank of radius 1, hemispherical bottom at y = -1, lid at y = 1"),
    ]:
        write(name, v, orient_outwards(v, t), comment)
