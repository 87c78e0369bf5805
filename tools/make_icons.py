#!/usr/bin/env python3
"""Draws the app's home-screen icons (public/icons/icon-192.png, icon-512.png): a white heart on
the site's red, full bleed so one file serves as both an ordinary and a maskable icon (the heart
stays inside the central safe zone). Plain Python, no imaging library: run it again after a
change of colour or shape and commit the PNGs."""
import struct, zlib, sys, os

RED = (0xB3, 0x26, 0x1E)
WHITE = (0xFF, 0xFF, 0xFF)

def inside_heart(x, y):
    # The classic implicit heart (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0, y up.
    return (x * x + y * y - 1) ** 3 - x * x * y ** 3 <= 0

def draw(size):
    rows = []
    samples = 4  # 4x4 supersampling for smooth edges
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            hits = 0
            for sy in range(samples):
                for sx in range(samples):
                    # Map to heart space: the heart spans about [-1.2, 1.2] x [-1.0, 1.3];
                    # scale so it takes about 55% of the icon (inside the 80% maskable safe zone).
                    u = ((px + (sx + 0.5) / samples) / size - 0.5) * 2.6 / 0.30 * 0.5
                    v = -(((py + (sy + 0.5) / samples) / size - 0.5) * 2.6 / 0.30 * 0.5) + 0.15
                    hits += inside_heart(u, v)
            a = hits / (samples * samples)
            row += bytes(round(RED[i] * (1 - a) + WHITE[i] * a) for i in range(3))
        rows.append(bytes(row))
    raw = b"".join(rows)
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "public", "icons")
    for size in (192, 512):
        with open(os.path.join(out, f"icon-{size}.png"), "wb") as f:
            f.write(draw(size))
