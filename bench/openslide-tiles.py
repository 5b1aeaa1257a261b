"""Tiles/s per core and peak memory of the OpenSlide processor's tiling path against a plain
DeepZoomGenerator loop (the approach of OpenSlide's own DeepZoom tiling example), each with 1
and 2 worker processes, on a synthetic 12288x9216 JPEG SVS. Tiles go to a local temp folder, so
S3 is not measured.

    PYTHONPATH=.tools/python:packages/task-py/src:packages/processor-openslide/src \\
      python3 bench/openslide-tiles.py

Writes bench/results/openslide-tiles.json."""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "openslide-tiles.json"
TILE = 256
_dz: Any = None  # each worker process's DeepZoomGenerator


def make_svs(path: Path, width: int, height: int) -> None:
    """An Aperio-style JPEG SVS written tile by tile (no full-size array in memory)."""
    import tifffile

    rng = np.random.default_rng(7)
    # A few noisy gradient tiles, shifted per position: compresses like tissue, stays cheap.
    bank = []
    y, x = np.mgrid[0:TILE, 0:TILE]
    for i in range(16):
        base = np.stack([(x + 16 * i) % 256, (y * 2 + i) % 256, (x + y) % 256], axis=-1)
        bank.append((base // 2 + rng.integers(0, 32, size=(TILE, TILE, 3))).astype(np.uint8))

    def tiles(w: int, h: int) -> Iterator[np.ndarray]:
        for r in range((h + TILE - 1) // TILE):
            for c in range((w + TILE - 1) // TILE):
                yield bank[(r * 7 + c * 3) % len(bank)]

    head = f"Aperio Image Library v12.0.15\n{width}x{height} [0,0 {width}x{height}] ({TILE}x{TILE})"
    with tifffile.TiffWriter(path, bigtiff=True) as tif:
        opts: dict[str, Any] = {
            "photometric": "rgb",
            "compression": "jpeg",
            "metadata": None,
            "tile": (TILE, TILE),
            "dtype": np.uint8,
        }
        desc = f"{head} JPEG/RGB Q=90|AppMag = 40|MPP = 0.25"
        tif.write(tiles(width, height), shape=(height, width, 3), description=desc, **opts)
        thumb = np.zeros((height // 32, width // 32, 3), np.uint8)
        tif.write(thumb, photometric="rgb", metadata=None, description=f"{head} -> thumb")
        for factor in (4, 16):
            w, h = width // factor, height // factor
            tif.write(tiles(w, h), shape=(h, w, 3), description=f"{head} -> level", **opts)


def _open(slide: str) -> Any:
    import openslide
    from openslide.deepzoom import DeepZoomGenerator

    return DeepZoomGenerator(
        openslide.OpenSlide(slide), tile_size=254, overlap=1, limit_bounds=False
    )


# (a) This processor's tiling path: its tile order and encoder, in chunks of CHUNK tiles of that
# order (the processor's checkpoint unit); with several processes, each takes the next chunk.
CHUNK = 64
_tiles: list[Any] = []


def _init_processor(slide: str) -> None:
    global _dz, _tiles
    from wsi_openslide.tiles import tile_order

    _dz = _open(slide)
    _tiles = list(tile_order(_dz))


def _processor_chunk(job: tuple[str, int]) -> int:
    from wsi_openslide.tiles import encode_tile, tile_path

    out, first = job
    chunk = _tiles[first : first + CHUNK]
    for tile in chunk:
        body = encode_tile(_dz.get_tile(tile.level, (tile.col, tile.row)), "jpeg", 90)
        target = Path(out) / tile_path(tile, "jpeg")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return len(chunk)


# (b) A plain DeepZoomGenerator loop: each worker opens the slide and takes tiles from a queue,
# saving each with PIL straight to disk.


def _init_plain(slide: str) -> None:
    global _dz
    _dz = _open(slide)


def _plain_tile(job: tuple[str, int, int, int]) -> None:
    out, level, col, row = job
    folder = os.path.join(out, f"slide_files/{level}")
    os.makedirs(folder, exist_ok=True)
    _dz.get_tile(level, (col, row)).save(os.path.join(folder, f"{col}_{row}.jpeg"), quality=90)


def run_one(approach: str, workers: int, slide: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="openslide-bench-") as out:
        start = time.perf_counter()
        if approach == "processor":
            dz = _open(slide)
            total = sum(cols * rows for cols, rows in dz.level_tiles)
            ctx = mp.get_context("fork")
            with ctx.Pool(workers, initializer=_init_processor, initargs=(slide,)) as pool:
                jobs = [(out, first) for first in range(0, total, CHUNK)]
                tiles = sum(pool.imap_unordered(_processor_chunk, jobs))
        else:
            dz = _open(slide)
            jobs = [
                (out, level, col, row)
                for level in range(dz.level_count)
                for row in range(dz.level_tiles[level][1])
                for col in range(dz.level_tiles[level][0])
            ]
            ctx = mp.get_context("fork")
            with ctx.Pool(workers, initializer=_init_plain, initargs=(slide,)) as pool:
                for _ in pool.imap_unordered(_plain_tile, jobs, chunksize=16):
                    pass
            tiles = len(jobs)
        seconds = time.perf_counter() - start
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "approach": approach,
        "workers": workers,
        "tiles": tiles,
        "seconds": round(seconds, 2),
        "tilesPerSecond": round(tiles / seconds, 1),
        "tilesPerSecondPerCore": round(tiles / seconds / workers, 1),
        "peakRssMiBParent": round(self_kb / 1024, 1),
        "peakRssMiBWorker": round(child_kb / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--width", type=int, default=12288)
    parser.add_argument("--height", type=int, default=9216)
    parser.add_argument("--one", nargs=3, metavar=("APPROACH", "WORKERS", "SLIDE"))
    args = parser.parse_args()
    if args.one:  # one measurement, in its own process so peak RSS is its own
        approach, workers, slide = args.one
        print(json.dumps(run_one(approach, int(workers), slide)))
        return

    import openslide

    with tempfile.TemporaryDirectory(prefix="openslide-bench-slide-") as tmp:
        slide = Path(tmp) / "bench.svs"
        made = time.perf_counter()
        make_svs(slide, args.width, args.height)
        print(
            f"slide {args.width}x{args.height} JPEG SVS made in {time.perf_counter() - made:.1f} s"
        )
        runs = []
        for approach in ("processor", "plain-deepzoom"):
            for workers in (1, 2):
                res = subprocess.run(
                    [sys.executable, __file__, "--one", approach, str(workers), str(slide)],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                )
                result = json.loads(res.stdout.strip().splitlines()[-1])
                runs.append(result)
                r = result
                print(
                    f"{approach:15} workers={workers} tiles={r['tiles']} "
                    f"{r['tilesPerSecond']:7.1f} tiles/s {r['tilesPerSecondPerCore']:6.1f}/core, "
                    f"peak RSS {r['peakRssMiBParent']} MiB parent, "
                    f"{r['peakRssMiBWorker']} MiB worker"
                )
    report = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpuCount": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "openslide": openslide.__library_version__,
            "openslidePython": openslide.__version__,
        },
        "slide": {"width": args.width, "height": args.height, "compression": "jpeg", "tile": TILE},
        "deepZoom": {"tileSize": 254, "overlap": 1, "format": "jpeg", "quality": 90},
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
