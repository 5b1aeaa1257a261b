"""Small synthetic Aperio SVS slides, made offline with tifffile (+ imagecodecs for JPEG and
JPEG 2000): a tiled pyramid, one level per page, plus thumbnail, label and macro pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tifffile

JPEG = "jpeg"
JPEG2000 = 33005  # APERIO_JP2000_RGB


def _image(width: int, height: int, seed: int) -> np.ndarray:
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


def _halve(img: np.ndarray, factor: int) -> np.ndarray:
    out: np.ndarray = img[::factor, ::factor].copy()
    return out


def make_svs(path: Path, width: int = 2048, height: int = 1536, compression: object = JPEG) -> Path:
    base = _image(width, height, seed=1)
    head = f"Aperio Image Library v12.0.15\n{width}x{height} [0,0 {width}x{height}] (256x256)"
    desc0 = f"{head} JPEG/RGB Q=90|AppMag = 40|MPP = 0.25|ScanScope ID = SYNTH"
    label = np.full((256, 384, 3), 240, np.uint8)
    label[64:192, 64:320] = 10
    macro = _halve(base, 8)
    with tifffile.TiffWriter(path, bigtiff=False) as tif:
        opts = {"photometric": "rgb", "compression": compression, "metadata": None}
        tif.write(base, tile=(256, 256), description=desc0, **opts)
        thumb = _halve(base, 16)
        tif.write(
            thumb,
            metadata=None,
            description=f"{head} -> {thumb.shape[1]}x{thumb.shape[0]} - |AppMag = 40",
        )
        for factor in (4, 16):
            level = _halve(base, factor)
            if min(level.shape[:2]) < 64:
                break
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
