"""Demo company logos: small PNGs drawn in pure Python (no imaging library at run time).

Each logo is a coloured rounded square with a white mark. Shapes are tested per sub-pixel (2x2
supersampling), so edges are smooth enough for a 40-128 px avatar. Drawing all ten takes well under a
second, which keeps `make run`'s first start quick.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable

SIZE = 96
_SAMPLES = ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75))

Shape = Callable[[float, float], bool]  # (x, y) in 0..1 -> inside the white mark


def _circle(x: float, y: float) -> bool:
    return (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.28**2


def _ring(x: float, y: float) -> bool:
    r2 = (x - 0.5) ** 2 + (y - 0.5) ** 2
    return 0.17**2 <= r2 <= 0.3**2


def _triangle(x: float, y: float) -> bool:
    return 0.24 <= y <= 0.76 and abs(x - 0.5) <= (y - 0.24) * 0.6


def _diamond(x: float, y: float) -> bool:
    return abs(x - 0.5) + abs(y - 0.5) <= 0.3


def _bars(x: float, y: float) -> bool:
    heights = ((0.22, 0.34), (0.44, 0.56), (0.66, 0.78))
    tops = (0.46, 0.3, 0.2)
    return any(left <= x <= right and top <= y <= 0.78 for (left, right), top in zip(heights, tops, strict=True))


def _waves(x: float, y: float) -> bool:
    return any(abs(y - (c + 0.05 * math.sin(x * 2 * math.pi * 1.5))) <= 0.045 for c in (0.34, 0.5, 0.66)) and (
        0.18 <= x <= 0.82
    )


def _shield(x: float, y: float) -> bool:
    if not 0.2 <= y <= 0.8:
        return False
    half = 0.28 if y < 0.5 else 0.28 * (0.8 - y) / 0.3
    return abs(x - 0.5) <= half


def _leaf(x: float, y: float) -> bool:
    a = (x - 0.36) ** 2 + (y - 0.36) ** 2 <= 0.3**2
    b = (x - 0.64) ** 2 + (y - 0.64) ** 2 <= 0.3**2
    return a and b


def _orbit(x: float, y: float) -> bool:
    planet = (x - 0.5) ** 2 + (y - 0.5) ** 2 <= 0.13**2
    u, v = (x - 0.5) * 0.8 + (y - 0.5) * 0.6, -(x - 0.5) * 0.6 + (y - 0.5) * 0.8
    ellipse = (u / 0.34) ** 2 + (v / 0.14) ** 2
    return planet or 0.8 <= ellipse <= 1.0


def _plus(x: float, y: float) -> bool:
    return (abs(x - 0.5) <= 0.09 and 0.2 <= y <= 0.8) or (abs(y - 0.5) <= 0.09 and 0.2 <= x <= 0.8)


SHAPES: dict[str, Shape] = {
    "circle": _circle,
    "ring": _ring,
    "triangle": _triangle,
    "diamond": _diamond,
    "bars": _bars,
    "waves": _waves,
    "shield": _shield,
    "leaf": _leaf,
    "orbit": _orbit,
    "plus": _plus,
}


def _in_rounded_square(x: float, y: float, radius: float = 0.2) -> bool:
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def draw(color: tuple[int, int, int], shape: str, size: int = SIZE) -> bytes:
    """A PNG (RGBA) of a `color` tile with the white `shape` mark."""
    mark = SHAPES[shape]
    red, green, blue = color
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # PNG filter type 0 (None) for each scanline
        for px in range(size):
            tile = white = 0
            for dx, dy in _SAMPLES:
                x, y = (px + dx) / size, (py + dy) / size
                if _in_rounded_square(x, y):
                    tile += 1
                    white += mark(x, y)
            share = white / 4
            rows += bytes(
                (
                    round(red + (255 - red) * share),
                    round(green + (255 - green) * share),
                    round(blue + (255 - blue) * share),
                    round(255 * tile / 4),
                )
            )
    return _png(size, size, bytes(rows))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, scanlines: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(scanlines, 9))
        + _chunk(b"IEND", b"")
    )
