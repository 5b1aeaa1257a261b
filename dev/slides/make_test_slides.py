"""Vendor-format test slides, made at test time (never committed), and OpenSlide's read of each.

    PYTHONPATH=.tools/python python3 dev/slides/make_test_slides.py --out DIR \\
        [--kinds svs-jpeg,svs-j2k,tiff,dicom] [--width 2048 --height 1536]

Kinds (all at 0.25 µm per pixel, three pyramid levels of downsample 1, 4 and 16):

- svs-jpeg: an Aperio SVS with JPEG tiles, plus thumbnail, label and macro pages (AppMag 40);
- svs-j2k: the same with JPEG 2000 tiles (TIFF compression 33005, APERIO_JP2000_RGB);
- tiff: a generic tiled pyramidal TIFF, one level per page (not SubIFDs), JPEG tiles, its
  resolution in pixels per centimetre; OpenSlide reads it as vendor "generic-tiff";
- dicom: a DICOM WSI, a folder of .dcm files (one per level and associated image) that
  wsidicomizer makes from a JPEG SVS through its OpenSlide source (so no libturbojpeg).

Prints a JSON manifest on stdout: a list, in the order of --kinds, of
{"kind", "path" (absolute; the folder for dicom), "folder", "openslide": {"vendor",
"dimensions": [w, h], "level_count", "level_dimensions", "mpp_x", "mpp_y", "objective_power"}}.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import tifffile

JPEG = "jpeg"
JPEG2000 = 33005  # APERIO_JP2000_RGB
MPP = 0.25
KINDS = ("svs-jpeg", "svs-j2k", "tiff", "dicom")
DOWNSAMPLES = (1, 4, 16)
FILE_NAMES = {
    "svs-jpeg": "aperio-jpeg.svs",
    "svs-j2k": "aperio-j2k.svs",
    "tiff": "generic.tiff",
}
DICOM_FOLDER = "dicom"


def synthetic_image(width: int, height: int, seed: int = 1) -> np.ndarray:
    """Smooth gradients plus some noise: compresses like tissue, not like a flat colour."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    r = (128 + 100 * np.sin(x / 97.0)).astype(np.uint8)
    g = (128 + 100 * np.cos(y / 53.0)).astype(np.uint8)
    b = ((x + y) % 256).astype(np.uint8)
    img = np.stack([r, g, b], axis=-1)
    noise = rng.integers(0, 24, size=img.shape, dtype=np.uint8)
    out: np.ndarray = img // 2 + noise
    return out


def downsample(img: np.ndarray, factor: int) -> np.ndarray:
    out: np.ndarray = img[::factor, ::factor].copy()
    return out


def _levels(base: np.ndarray) -> list[np.ndarray]:
    """The pyramid's levels: downsamples 1, 4, 16, as long as a level keeps 64 pixels a side."""
    levels = [base]
    for factor in DOWNSAMPLES[1:]:
        level = downsample(base, factor)
        if min(level.shape[:2]) < 64:
            break
        levels.append(level)
    return levels


def make_svs(
    path: Path, width: int = 2048, height: int = 1536, compression: object = JPEG
) -> Path:
    """An Aperio-style SVS: tiled levels (one per page) with thumbnail, label and macro pages."""
    base = synthetic_image(width, height, seed=1)
    head = f"Aperio Image Library v12.0.15\n{width}x{height} [0,0 {width}x{height}] (256x256)"
    desc0 = f"{head} JPEG/RGB Q=90|AppMag = 40|MPP = {MPP}|ScanScope ID = SYNTH"
    label = np.full((256, 384, 3), 240, np.uint8)
    label[64:192, 64:320] = 10
    macro = downsample(base, 8)
    levels = _levels(base)
    with tifffile.TiffWriter(path, bigtiff=False) as tif:
        opts = {"photometric": "rgb", "compression": compression, "metadata": None}
        tif.write(levels[0], tile=(256, 256), description=desc0, **opts)
        thumb = downsample(base, 16)
        tif.write(
            thumb,
            metadata=None,
            description=f"{head} -> {thumb.shape[1]}x{thumb.shape[0]} - |AppMag = 40",
        )
        for level in levels[1:]:
            tif.write(level, tile=(256, 256), description=f"{head} -> level", **opts)
        tif.write(
            label,
            metadata=None,
            subfiletype=1,
            description="Aperio Image Library v12.0.15\nlabel 384x256",
        )
        tif.write(
            macro,
            subfiletype=9,
            metadata=None,
            compression="jpeg",
            photometric="rgb",
            description=f"Aperio Image Library v12.0.15\nmacro {macro.shape[1]}x{macro.shape[0]}",
        )
    return path


def make_generic_tiff(path: Path, width: int = 2048, height: int = 1536) -> Path:
    """A generic tiled pyramidal TIFF: each level its own top-level page (OpenSlide reads
    SubIFDs as one level only), reduced-resolution pages marked as such, resolution in px/cm."""
    base = synthetic_image(width, height, seed=2)
    with tifffile.TiffWriter(path, bigtiff=False) as tif:
        for i, level in enumerate(_levels(base)):
            per_cm = 1e4 / (MPP * base.shape[1] / level.shape[1])
            tif.write(
                level,
                tile=(256, 256),
                photometric="rgb",
                compression="jpeg",
                metadata=None,
                software=False,
                resolution=(per_cm, per_cm),
                resolutionunit="CENTIMETER",
                subfiletype=0 if i == 0 else 1,
            )
    return path


def make_dicom(folder: Path, width: int = 2048, height: int = 1536) -> Path:
    """A DICOM WSI series, one .dcm per level and associated image, in `folder` (which must not
    exist). wsidicomizer converts a JPEG SVS made for it, read through OpenSlide."""
    from wsidicomizer import WsiDicomizer
    from wsidicomizer.extras.openslide import OpenSlideSource

    with tempfile.TemporaryDirectory(prefix="make-test-slides-") as tmp:
        svs = make_svs(Path(tmp) / "source.svs", width, height, JPEG)
        staging = Path(tmp) / "dicom"
        WsiDicomizer.convert(
            svs, staging, tile_size=256, workers=1, preferred_source=OpenSlideSource
        )
        # Its files are named by random instance UIDs: name them by size, largest first.
        files = sorted(staging.glob("*.dcm"), key=lambda f: (-f.stat().st_size, f.name))
        folder.mkdir(parents=True)
        for i, file in enumerate(files):
            shutil.move(str(file), folder / f"{i:02d}.dcm")
    return folder


def openslide_read(path: Path) -> dict[str, Any]:
    """What OpenSlide itself reads from a slide: a file, or a DICOM folder through its first
    file (OpenSlide finds the rest of the series in the same directory)."""
    import openslide

    target = first_file(path) if path.is_dir() else path
    with openslide.OpenSlide(target) as slide:
        props = slide.properties

        def number(name: str) -> float | None:
            value = props.get(name)
            return None if value is None else float(value)

        return {
            "vendor": props.get(openslide.PROPERTY_NAME_VENDOR),
            "dimensions": list(slide.dimensions),
            "level_count": slide.level_count,
            "level_dimensions": [list(d) for d in slide.level_dimensions],
            "mpp_x": number(openslide.PROPERTY_NAME_MPP_X),
            "mpp_y": number(openslide.PROPERTY_NAME_MPP_Y),
            "objective_power": number(openslide.PROPERTY_NAME_OBJECTIVE_POWER),
        }


def first_file(folder: Path) -> Path:
    """The folder's first file by name, as the processor opens a folder slide."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if not files:
        raise FileNotFoundError(f"no files in {folder}")
    return files[0]


def make(kind: str, out: Path, width: int, height: int) -> dict[str, Any]:
    """Makes one kind of slide in `out` (replacing an earlier one) and describes it."""
    makers: dict[str, Callable[[Path], Path]] = {
        "svs-jpeg": lambda p: make_svs(p, width, height, JPEG),
        "svs-j2k": lambda p: make_svs(p, width, height, JPEG2000),
        "tiff": lambda p: make_generic_tiff(p, width, height),
        "dicom": lambda p: make_dicom(p, width, height),
    }
    target = (out / (FILE_NAMES.get(kind) or DICOM_FOLDER)).resolve()
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    path = makers[kind](target)
    return {
        "kind": kind,
        "path": str(path),
        "folder": path.is_dir(),
        "openslide": openslide_read(path),
    }


def _kinds(value: str) -> list[str]:
    kinds = [k.strip() for k in value.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(
            f"unknown kind(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(KINDS)}"
        )
    return list(dict.fromkeys(kinds))


def _size(value: str) -> int:
    size = int(value)
    if not 64 <= size <= 65536:
        raise argparse.ArgumentTypeError(f"must be in 64..65536, got {size}")
    return size


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Writes vendor-format test slides and prints OpenSlide's read of each as JSON."
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="the folder to write into"
    )
    parser.add_argument(
        "--kinds",
        type=_kinds,
        default=list(KINDS),
        help=f"comma-separated, of {','.join(KINDS)} (default: all)",
    )
    parser.add_argument("--width", type=_size, default=2048)
    parser.add_argument("--height", type=_size, default=1536)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = [make(kind, args.out, args.width, args.height) for kind in args.kinds]
    json.dump(manifest, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
