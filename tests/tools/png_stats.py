#!/usr/bin/env python3
"""Counts the pixels of a PNG screenshot that look like Flume's water, with the standard library.

    png_stats.py FILE.png [--min-x X] [--region X0,Y0,X1,Y1]
        prints: size WxH, water N, obstacle N, emitter N, outlet N, wall N, body N,
        distinct-colours N

Water is Flume's flat water colour (0.16, 0.47, 0.85) after sphere shading: clearly blue, blue
well above red and green. Obstacle is the obstacles' terracotta (0.75, 0.45, 0.3) lit at 50-100%:
green about 0.6 of red, blue about 0.4. Emitter is the emitters' bright green (0.3, 0.92, 0.42),
outlet the outlets' red (0.98, 0.3, 0.28), both as drawn at full strength (their outlines, 2D
bars and arrows). Body is the rigid bodies' amber (0.95, 0.78, 0.32) lit at 50-100%: green
about 0.82 of red, blue about a third. Wall is a light neutral grey: the domain's wireframe (0.85, 0.85, 0.8) and
the surface view's lit walls and floor (0.78, 0.78, 0.76). Pixels left of --min-x (the UI panel)
are ignored; with --region only the pixels x0 <= x < x1, y0 <= y < y1 (from the top left) count.
"""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color_type, _, _, interlace = header
    if depth != 8 or color_type not in (2, 6) or interlace:
        raise ValueError(f"{path}: only 8-bit RGB/RGBA, non-interlaced PNGs are supported")
    channels = 4 if color_type == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, i = [], bytearray(stride), 0
    for _ in range(height):
        kind = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def main():
    path = sys.argv[1]
    min_x = int(sys.argv[sys.argv.index("--min-x") + 1]) if "--min-x" in sys.argv else 0
    width, height, channels, rows = read_png(path)
    x0, y0, x1, y1 = min_x, 0, width, height
    if "--region" in sys.argv:
        x0, y0, x1, y1 = (int(v) for v in sys.argv[sys.argv.index("--region") + 1].split(","))
    water, obstacle, emitter, outlet, wall, body, colours = 0, 0, 0, 0, 0, 0, set()
    for row in rows[y0:y1]:
        for x in range(x0, min(x1, width)):
            r, g, b = row[x * channels:x * channels + 3]
            colours.add((r >> 3, g >> 3, b >> 3))
            if b > 90 and b > r + 50 and b > g + 15:
                water += 1
            if r > 70 and 0.45 * r <= g <= 0.75 * r and 0.25 * r <= b <= 0.55 * r:
                obstacle += 1
            if g > 150 and g > r + 80 and g > b + 60:
                emitter += 1
            if r > 150 and r > g + 110 and r > b + 110:
                outlet += 1
            if r > 90 and abs(r - g) <= 12 and abs(r - b) <= 30:
                wall += 1
            if r > 70 and 0.77 * r <= g <= 0.9 * r and b <= 0.45 * r:
                body += 1
    print(f"size {width}x{height}")
    print(f"water {water}")
    print(f"obstacle {obstacle}")
    print(f"emitter {emitter}")
    print(f"outlet {outlet}")
    print(f"wall {wall}")
    print(f"body {body}")
    print(f"distinct-colours {len(colours)}")


if __name__ == "__main__":
    main()
