#!/usr/bin/env python3
"""Reads a Flume .vtp file (VTK XML PolyData, inline base64 binary) with only the standard library.

    read_vtp.py FILE.vtp            prints the point count and each array's name, size and range

Used by the CLI tests as an independent reader of the export format.
"""
import base64
import struct
import sys
import xml.etree.ElementTree as ET

TYPES = {"Float32": "f", "Float64": "d", "Int32": "i", "UInt32": "I", "UInt8": "B"}


def read_vtp(path):
    root = ET.parse(path).getroot()
    if root.get("type") != "PolyData":
        raise ValueError(f"{path}: not a PolyData file")
    if root.get("header_type", "UInt32") != "UInt32" or root.get("byte_order") != "LittleEndian":
        raise ValueError(f"{path}: unsupported header type or byte order")
    piece = root.find("PolyData/Piece")
    n = int(piece.get("NumberOfPoints"))
    arrays = {}
    for node in piece.iter("DataArray"):
        if node.get("format") != "binary":
            raise ValueError(f"{path}: array {node.get('Name')} is not binary")
        raw = base64.b64decode("".join(node.text.split()))
        (size,) = struct.unpack_from("<I", raw, 0)
        code = TYPES[node.get("type")]
        count = size // struct.calcsize(code)
        values = struct.unpack_from(f"<{count}{code}", raw, 4)
        components = int(node.get("NumberOfComponents", "1"))
        arrays[node.get("Name")] = (components, values)
    return n, arrays


def main():
    n, arrays = read_vtp(sys.argv[1])
    print(f"points {n}")
    for name, (components, values) in arrays.items():
        lo = min(values) if values else 0
        hi = max(values) if values else 0
        print(f"array {name} components {components} tuples {len(values) // components} min {lo:g} max {hi:g}")


if __name__ == "__main__":
    main()
