#!/usr/bin/env python3
"""Puts same-size PNG captures in a grid, each shrunk by an integer factor (box filter), for the
docs' before/after pictures. Standard library only.

    scripts/combine-captures.py OUT.png COLUMNS FACTOR A.png B.png [C.png D.png ...]

Row by row, COLUMNS pictures a row, 8 px of dark grey between them.
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "tools"))
from png_stats import read_png  # noqa: E402

GAP = 8
GREY = (40, 42, 46)


def shrink(path, factor):
    width, height, channels, rows = read_png(path)
    w, h = width // factor, height // factor
    out = []
    for y in range(h):
        line = []
        for x in range(w):
            total = [0, 0, 0]
            for dy in range(factor):
                row = rows[y * factor + dy]
                for dx in range(factor):
                    i = (x * factor + dx) * channels
                    for c in range(3):
                        total[c] += row[i + c]
            line.append(tuple(t // (factor * factor) for t in total))
        out.append(line)
    return w, h, out


def write_png(path, width, height, pixels):
    raw = b"".join(b"\x00" + bytes(c for p in row for c in p) for row in pixels)

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    out, columns, factor = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    tiles = [shrink(p, factor) for p in sys.argv[4:]]
    w, h = tiles[0][0], tiles[0][1]
    if any((t[0], t[1]) != (w, h) for t in tiles):
        sys.exit("combine-captures.py: the pictures differ in size")
    rows_of_tiles = (len(tiles) + columns - 1) // columns
    width = columns * w + (columns - 1) * GAP
    height = rows_of_tiles * h + (rows_of_tiles - 1) * GAP
    canvas = [[GREY] * width for _ in range(height)]
    for k, (_, _, pixels) in enumerate(tiles):
        x0 = (k % columns) * (w + GAP)
        y0 = (k // columns) * (h + GAP)
        for y in range(h):
            canvas[y0 + y][x0:x0 + w] = pixels[y]
    write_png(out, width, height, canvas)


if __name__ == "__main__":
    main()
