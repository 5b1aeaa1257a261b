"""Checks what the OpenSlide processor wrote against OpenSlide's own read of the slide.

    PYTHONPATH=.tools/python:packages/task-py/src:packages/processor-openslide/src \\
        python3 dev/slides/check_output.py --slide PATH --output DIR

PATH is the slide (a file, or a DICOM WSI folder: opened through its first file, as the processor
does); DIR a local copy of everything under the processor's OUTPUT_URI (<name>.dzi,
<name>_files/<level>/<col>_<row>.<ext>, metadata.json, thumbnail.jpg). The reference is OpenSlide
plus DeepZoomGenerator with the processor's default settings (tile size, overlap, format,
thumbnail size; see wsi_openslide.settings). It checks:

- the .dzi descriptor: size, tile size, overlap and format equal DeepZoomGenerator's;
- every level's tiles: none missing, none extra (each named);
- metadata.json: vendor, width/height, level count and levels, MPP, objective power equal
  OpenSlide's properties, and its deepZoom parameters;
- the thumbnail's size and pixels (against OpenSlide's get_thumbnail at THUMBNAIL_SIZE);
- sampled tiles (every level's first and last plus --samples random ones, seeded): the same size
  as DeepZoomGenerator's tile and the same pixels within --tolerance, the mean absolute
  difference per channel value (0-255) from DeepZoomGenerator's tile saved as the processor
  saves it (JPEG quality 90) and read back: JPEG's own loss is large on tiles of a few pixels,
  so only a different encoder's or a wrong tile's difference is left to measure.

Exit 0 with a one-line JSON summary on stdout when all holds; exit 1 with every difference on
stderr (one a line) and {"ok": false, "differences": N} on stdout otherwise; exit 2 when the
slide cannot be opened or DIR is not a folder.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openslide
from make_test_slides import first_file
from openslide.deepzoom import DeepZoomGenerator
from PIL import Image
from wsi_openslide.settings import Settings

DZI_NS = "{http://schemas.microsoft.com/deepzoom/2008}"
DEFAULTS = Settings()


@dataclass
class Report:
    differences: list[str] = field(default_factory=list)
    sampled: int = 0
    max_diff: float = 0.0

    def differ(self, message: str) -> None:
        self.differences.append(message)


def _dzi_fields(text: str) -> dict[str, str]:
    root = ET.fromstring(text)
    size = root.find(f"{DZI_NS}Size")
    if root.tag != f"{DZI_NS}Image" or size is None:
        raise ValueError("not a DeepZoom descriptor (Image with a Size)")
    return {
        "Format": root.get("Format", ""),
        "TileSize": root.get("TileSize", ""),
        "Overlap": root.get("Overlap", ""),
        "Width": size.get("Width", ""),
        "Height": size.get("Height", ""),
    }


def check_dzi(output: Path, dz: DeepZoomGenerator, fmt: str, report: Report) -> str:
    """Checks the descriptor; returns the pyramid's name (<name>.dzi, <name>_files/)."""
    found = sorted(output.glob("*.dzi"))
    if len(found) != 1:
        report.differ(f"expected one .dzi descriptor in the output, found {len(found)}")
        return found[0].stem if found else "slide"
    dzi = found[0]
    try:
        actual = _dzi_fields(dzi.read_text("utf-8"))
    except (ET.ParseError, ValueError, UnicodeDecodeError) as err:
        report.differ(f"{dzi.name}: unreadable: {err}")
        return dzi.stem
    expected = _dzi_fields(dz.get_dzi(fmt))
    for name, value in expected.items():
        if actual[name] != value:
            report.differ(
                f"{dzi.name}: {name} is {actual[name]!r}, DeepZoomGenerator's is {value!r}"
            )
    return dzi.stem


def check_tile_sets(
    tiles_dir: Path, dz: DeepZoomGenerator, ext: str, report: Report
) -> None:
    rel = tiles_dir.name
    for level in range(dz.level_count):
        cols, rows = dz.level_tiles[level]
        expected = {f"{c}_{r}.{ext}" for c in range(cols) for r in range(rows)}
        folder = tiles_dir / str(level)
        actual = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
        missing = sorted(expected - actual, key=_tile_sort_key)
        extra = sorted(actual - expected)
        if missing:
            names = ", ".join(f"{rel}/{level}/{n}" for n in missing)
            report.differ(
                f"level {level}: {len(missing)} of {len(expected)} missing: {names}"
            )
        if extra:
            names = ", ".join(f"{rel}/{level}/{n}" for n in extra)
            report.differ(f"level {level}: {len(extra)} extra: {names}")
    if tiles_dir.is_dir():
        levels = {str(level) for level in range(dz.level_count)}
        for entry in sorted(tiles_dir.iterdir()):
            if entry.name not in levels:
                report.differ(
                    f"extra entry {rel}/{entry.name} (the pyramid has levels 0-"
                    f"{dz.level_count - 1})"
                )
    else:
        report.differ(f"no tile folder {rel}/")


def _tile_sort_key(name: str) -> tuple[int, int]:
    col, row = name.split(".")[0].split("_")
    return int(row), int(col)


def _number(value: str | None) -> float | None:
    # The same parse as wsi_openslide.metadata's, written again on purpose: the expected value
    # must come from OpenSlide's property by the checker's own reading, not the processor's.
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _same_number(a: object, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return isinstance(a, int | float) and math.isclose(float(a), b, rel_tol=1e-9)


def check_metadata(
    output: Path,
    slide: openslide.OpenSlide,
    dz: DeepZoomGenerator,
    settings: Settings,
    report: Report,
) -> None:
    path = output / "metadata.json"
    try:
        meta: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        report.differ("metadata.json is missing")
        return
    except ValueError as err:
        report.differ(f"metadata.json is not JSON: {err}")
        return
    props = slide.properties
    width, height = slide.dimensions
    exact: dict[str, object] = {
        "vendor": props.get(openslide.PROPERTY_NAME_VENDOR),
        "width": width,
        "height": height,
        "levelCount": slide.level_count,
    }
    for key, value in exact.items():
        if meta.get(key) != value:
            report.differ(
                f"metadata.json: {key} is {meta.get(key)!r}, OpenSlide's is {value!r}"
            )
    numbers = {
        "mppX": _number(props.get(openslide.PROPERTY_NAME_MPP_X)),
        "mppY": _number(props.get(openslide.PROPERTY_NAME_MPP_Y)),
        "objectivePower": _number(props.get(openslide.PROPERTY_NAME_OBJECTIVE_POWER)),
    }
    for key, number in numbers.items():
        if not _same_number(meta.get(key), number):
            report.differ(
                f"metadata.json: {key} is {meta.get(key)!r}, OpenSlide's is {number!r}"
            )
    levels = meta.get("levels")
    expected_levels = [
        (w, h, d)
        for (w, h), d in zip(
            slide.level_dimensions, slide.level_downsamples, strict=True
        )
    ]
    try:
        actual_levels = [
            (x["width"], x["height"], x["downsample"]) for x in levels or []
        ]
    except (KeyError, TypeError):
        actual_levels = []
    if len(actual_levels) != len(expected_levels) or any(
        (a[0], a[1]) != (e[0], e[1]) or not _same_number(a[2], e[2])
        for a, e in zip(actual_levels, expected_levels, strict=False)
    ):
        report.differ(
            f"metadata.json: levels are {levels!r}, OpenSlide's {expected_levels!r}"
        )
    deep_zoom = meta.get("deepZoom")
    if isinstance(deep_zoom, dict):
        expected_dz = {
            "tileSize": settings.tile_size,
            "overlap": settings.overlap,
            "format": settings.format,
            "levels": dz.level_count,
            "tiles": sum(c * r for c, r in dz.level_tiles),
        }
        for key, value in expected_dz.items():
            if deep_zoom.get(key) != value:
                report.differ(
                    f"metadata.json: deepZoom.{key} is {deep_zoom.get(key)!r}, expected {value!r}"
                )
    else:
        report.differ("metadata.json: no deepZoom object")


def _mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    x = np.asarray(a.convert("RGB"), dtype=np.int16)
    y = np.asarray(b.convert("RGB"), dtype=np.int16)
    return float(np.abs(x - y).mean())


def as_written(image: Image.Image, fmt: str, quality: int) -> Image.Image:
    """`image` as it reads back once saved in `fmt` (JPEG at `quality`, as the processor
    saves it): on tiles of a few pixels JPEG's loss alone is large, and comparing the decoded
    round trip leaves only an encoder's differences to the tolerance."""
    if fmt != "jpeg":
        return image.convert("RGB")
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def _compare_image(
    name: str, data: bytes, expected: Image.Image, tolerance: float, report: Report
) -> None:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except OSError as err:
        report.differ(f"{name}: does not decode: {err}")
        return
    if image.size != expected.size:
        report.differ(f"{name}: size {image.size}, expected {expected.size}")
        return
    diff = _mean_abs_diff(image, expected)
    report.max_diff = max(report.max_diff, diff)
    report.sampled += 1
    if diff > tolerance:
        report.differ(
            f"{name}: pixels differ by {diff:.2f} on average (tolerance {tolerance})"
        )


def sample_tiles(
    dz: DeepZoomGenerator, samples: int, seed: int
) -> list[tuple[int, int, int]]:
    """Every level's first and last tile, then `samples` more at random (seeded)."""
    everything = [
        (level, col, row)
        for level in range(dz.level_count)
        for row in range(dz.level_tiles[level][1])
        for col in range(dz.level_tiles[level][0])
    ]
    chosen: dict[tuple[int, int, int], None] = {}
    for level in range(dz.level_count):
        cols, rows = dz.level_tiles[level]
        chosen[(level, 0, 0)] = None
        chosen[(level, cols - 1, rows - 1)] = None
    rest = [t for t in everything if t not in chosen]
    for tile in random.Random(seed).sample(rest, min(samples, len(rest))):
        chosen[tile] = None
    return list(chosen)


def open_slide(path: Path) -> openslide.OpenSlide:
    """The slide (a file, or a folder through its first file); raises OpenSlideError or OSError."""
    return openslide.OpenSlide(first_file(path) if path.is_dir() else path)


def check_output(
    slide: openslide.OpenSlide,
    slide_path: Path,
    output: Path,
    *,
    samples: int = 8,
    seed: int = 0,
    tolerance: float = 2.0,
    settings: Settings = DEFAULTS,
) -> tuple[Report, dict[str, Any]]:
    ext = settings.format
    dz = DeepZoomGenerator(
        slide,
        tile_size=settings.tile_size,
        overlap=settings.overlap,
        limit_bounds=False,
    )
    report = Report()
    name = check_dzi(output, dz, ext, report)
    tiles_dir = output / f"{name}_files"
    check_tile_sets(tiles_dir, dz, ext, report)
    check_metadata(output, slide, dz, settings, report)

    thumb = output / "thumbnail.jpg"
    if thumb.is_file():
        size = settings.thumbnail_size
        expected = as_written(slide.get_thumbnail((size, size)), "jpeg", 90)
        _compare_image("thumbnail.jpg", thumb.read_bytes(), expected, tolerance, report)
    else:
        report.differ("thumbnail.jpg is missing")

    for level, col, row in sample_tiles(dz, samples, seed):
        rel = f"{tiles_dir.name}/{level}/{col}_{row}.{ext}"
        tile = tiles_dir / str(level) / f"{col}_{row}.{ext}"
        if tile.is_file():  # a missing tile is already named above
            expected = as_written(dz.get_tile(level, (col, row)), ext, settings.quality)
            _compare_image(rel, tile.read_bytes(), expected, tolerance, report)

    summary = {
        "ok": not report.differences,
        "slide": str(slide_path),
        "vendor": slide.properties.get(openslide.PROPERTY_NAME_VENDOR),
        "dimensions": list(slide.dimensions),
        "deepZoomLevels": dz.level_count,
        "tiles": sum(c * r for c, r in dz.level_tiles),
        "sampled": report.sampled,
        "maxMeanAbsDiff": round(report.max_diff, 3),
        "tolerance": tolerance,
    }
    return report, summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Checks the OpenSlide processor's output against OpenSlide's own read."
    )
    parser.add_argument(
        "--slide", required=True, type=Path, help="the slide file or folder"
    )
    parser.add_argument(
        "--output", required=True, type=Path, help="a copy of OUTPUT_URI"
    )
    parser.add_argument(
        "--samples", type=int, default=8, help="random tiles to compare"
    )
    parser.add_argument("--seed", type=int, default=0, help="of the random sample")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=2.0,
        help="largest mean absolute pixel difference",
    )
    args = parser.parse_args(argv)
    if not args.output.is_dir():
        print(f"check_output: {args.output} is not a folder", file=sys.stderr)
        return 2
    try:
        slide = open_slide(args.slide)
    except (openslide.OpenSlideError, OSError) as err:
        print(
            f"check_output: cannot open the slide {args.slide}: {err}", file=sys.stderr
        )
        return 2
    with slide:
        report, summary = check_output(
            slide,
            args.slide,
            args.output,
            samples=args.samples,
            seed=args.seed,
            tolerance=args.tolerance,
        )
    if report.differences:
        for line in report.differences:
            print(f"check_output: {line}", file=sys.stderr)
        print(json.dumps({"ok": False, "differences": len(report.differences)}))
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
