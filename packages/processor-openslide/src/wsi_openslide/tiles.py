"""The DeepZoom tile order and tile encoding, shared by the processor and bench/."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import NamedTuple

from openslide.deepzoom import DeepZoomGenerator
from PIL import Image


class TileRef(NamedTuple):
    level: int
    col: int
    row: int


def tile_order(dz: DeepZoomGenerator) -> Iterator[TileRef]:
    """Every tile of the pyramid in the processing order of packages/processor: highest
    (full-resolution) level first, then row by row. Position in this order is the unit index."""
    for level in range(dz.level_count - 1, -1, -1):
        cols, rows = dz.level_tiles[level]
        for row in range(rows):
            for col in range(cols):
                yield TileRef(level, col, row)


def tile_path(tile: TileRef, ext: str) -> str:
    return f"slide_files/{tile.level}/{tile.col}_{tile.row}.{ext}"


def encode_tile(image: Image.Image, fmt: str, quality: int) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        image.convert("RGB").save(buf, "JPEG", quality=quality)
    else:
        image.save(buf, "PNG")
    return buf.getvalue()


def dzi_xml(width: int, height: int, tile_size: int, overlap: int, fmt: str) -> str:
    """The descriptor, byte for byte as packages/processor writes it."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="{fmt}" '
        f'Overlap="{overlap}" TileSize="{tile_size}">\n'
        f'  <Size Width="{width}" Height="{height}"/>\n'
        "</Image>\n"
    )
