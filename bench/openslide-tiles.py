"""Tiles/s per core and peak memory of the OpenSlide processor with 1 and 2 processes
(PROCESSES) against a plain DeepZoomGenerator loop (the approach of OpenSlide's own DeepZoom
tiling example, written here, not copied) with 1 and 2 processes, on a synthetic 12288x9216
JPEG SVS (2,478 tiles of 254 + 1, JPEG 90).

The processor runs for real (wsi_task.run_task(process_slide)), with an S3 stand-in that reads
and writes a local temp folder, so S3 is not measured: metadata, thumbnail, the tiles in chunks
of 64 with a checkpoint after each, the .dzi. Each measurement runs in a process of its own;
peak RSS is sampled from /proc every 50 ms: that process's, its largest descendant's (a worker
process) and all of theirs together. Each configuration runs --repeat times (3), in turn with
the others; the median by tiles/s is reported.

    PYTHONPATH=.tools/python:packages/task-py/src:packages/processor-openslide/src \\
      python3 bench/openslide-tiles.py

Writes bench/results/openslide-tiles.json."""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "openslide-tiles.json"
TILE = 256
RUNS = [
    ("processor", 1),
    ("processor", 2),
    ("plain-deepzoom", 1),
    ("plain-deepzoom", 2),
]


def make_svs(path: Path, width: int, height: int) -> None:
    """An Aperio-style JPEG SVS written tile by tile (no full-size array in memory)."""
    import tifffile

    rng = np.random.default_rng(7)
    # A few noisy gradient tiles, shifted per position: compresses like tissue, stays cheap.
    bank = []
    y, x = np.mgrid[0:TILE, 0:TILE]
    for i in range(16):
        base = np.stack([(x + 16 * i) % 256, (y * 2 + i) % 256, (x + y) % 256], axis=-1)
        noise = rng.integers(0, 32, size=(TILE, TILE, 3))
        bank.append((base // 2 + noise).astype(np.uint8))

    def tiles(w: int, h: int) -> Iterator[np.ndarray]:
        for r in range((h + TILE - 1) // TILE):
            for c in range((w + TILE - 1) // TILE):
                yield bank[(r * 7 + c * 3) % len(bank)]

    size = f"{width}x{height} [0,0 {width}x{height}] ({TILE}x{TILE})"
    head = f"Aperio Image Library v12.0.15\n{size}"
    with tifffile.TiffWriter(path, bigtiff=True) as tif:
        opts: dict[str, Any] = {
            "photometric": "rgb",
            "compression": "jpeg",
            "metadata": None,
            "tile": (TILE, TILE),
            "dtype": np.uint8,
        }
        desc = f"{head} JPEG/RGB Q=90|AppMag = 40|MPP = 0.25"
        tif.write(
            tiles(width, height), shape=(height, width, 3), description=desc, **opts
        )
        thumb = np.zeros((height // 32, width // 32, 3), np.uint8)
        tif.write(thumb, photometric="rgb", metadata=None, description=f"{head} -> t")
        for factor in (4, 16):
            w, h = width // factor, height // factor
            desc = f"{head} -> level"
            tif.write(tiles(w, h), shape=(h, w, 3), description=desc, **opts)


# -- memory: this process and its descendants, sampled ------------------------------------


def _rss_of_tree(root: int) -> dict[int, int]:
    """VmRSS (KiB) of `root` and of every process descended from it, by pid."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        pid = int(status.parent.name)
        for line in text.splitlines():
            if line.startswith("PPid:"):
                parents[pid] = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss[pid] = int(line.split()[1])
    tree, changed = {root}, True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return {pid: rss.get(pid, 0) for pid in tree}


class PeakSampler(threading.Thread):
    """Peak RSS of this process, of its largest descendant and of all of them together."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.total_kib = self.self_kib = self.child_kib = 0
        self._interval = interval
        self._done = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._done.is_set():
            tree = _rss_of_tree(me)
            self.total_kib = max(self.total_kib, sum(tree.values()))
            self.self_kib = max(self.self_kib, tree.get(me, 0))
            others = [kib for pid, kib in tree.items() if pid != me]
            self.child_kib = max(self.child_kib, *others, 0)
            self._done.wait(self._interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


# -- (a) the processor itself -------------------------------------------------------------


class LocalS3:
    """The few S3 calls the processor makes, on a local folder: the slide is read from
    `slide`, everything put goes under `folder`."""

    def __init__(self, slide: str, folder: Path) -> None:
        self._slide = slide
        self._folder = folder

    def download_file(self, _bucket: str, _key: str, filename: str) -> None:
        shutil.copyfile(self._slide, filename)

    def put_object(self, Bucket: str, Key: str, Body: bytes, **_: Any) -> None:
        target = self._folder / Key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(Body)

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        # Every run starts without a checkpoint.
        raise ClientError({"Error": {"Code": "NoSuchKey"}}, "GetObject")


def run_processor(slide: str, processes: int, out: Path) -> int:
    from wsi_openslide.processor import process_slide
    from wsi_openslide.settings import Settings
    from wsi_task import run_task

    settings = Settings(processes=processes)
    env = {
        "SLIDE_BUCKET": "bench",
        "SLIDE_KEY": "slides/bench.svs",
        "SLIDE_ID": "bench",
        "CHECKPOINT_URI": "s3://bench/checkpoints/bench.json",
        "OUTPUT_URI": "s3://bench/out/",
    }
    code = run_task(
        lambda task: process_slide(task, settings),
        environ=env,
        s3=LocalS3(slide, out),
        checkpoint_seconds=float("inf"),
        handle_signals=False,
    )
    if code != 0:
        raise SystemExit(f"the processor exited {code}")
    return sum(1 for _ in (out / "out" / "slide_files").rglob("*.jpeg"))


# -- (b) a plain DeepZoomGenerator loop: each worker opens the slide, takes tiles from a queue
# and saves each with PIL straight to disk ---------------------------------------------------

_dz: Any = None


def _init_plain(slide: str) -> None:
    global _dz
    import openslide
    from openslide.deepzoom import DeepZoomGenerator

    osr = openslide.OpenSlide(slide)
    _dz = DeepZoomGenerator(osr, tile_size=254, overlap=1, limit_bounds=False)


def _plain_tile(job: tuple[str, int, int, int]) -> None:
    out, level, col, row = job
    folder = os.path.join(out, f"slide_files/{level}")
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, f"{col}_{row}.jpeg")
    _dz.get_tile(level, (col, row)).save(target, quality=90)


def run_plain(slide: str, workers: int, out: Path) -> int:
    _init_plain(slide)
    jobs = [
        (str(out), level, col, row)
        for level in range(_dz.level_count)
        for row in range(_dz.level_tiles[level][1])
        for col in range(_dz.level_tiles[level][0])
    ]
    with mp.get_context("fork").Pool(workers, _init_plain, (slide,)) as pool:
        for _ in pool.imap_unordered(_plain_tile, jobs, chunksize=16):
            pass
    return len(jobs)


def run_one(approach: str, workers: int, slide: str) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    sampler = PeakSampler()
    sampler.start()
    with tempfile.TemporaryDirectory(prefix="openslide-bench-") as tmp:
        start = time.perf_counter()
        if approach == "processor":
            tiles = run_processor(slide, workers, Path(tmp))
        else:
            tiles = run_plain(slide, workers, Path(tmp))
        seconds = time.perf_counter() - start
    sampler.stop()
    return {
        "approach": approach,
        "workers": workers,
        "tiles": tiles,
        "seconds": round(seconds, 2),
        "tilesPerSecond": round(tiles / seconds, 1),
        "tilesPerSecondPerCore": round(tiles / seconds / workers, 1),
        "peakRssMiBTotal": round(sampler.total_kib / 1024, 1),
        "peakRssMiBParent": round(sampler.self_kib / 1024, 1),
        "peakRssMiBLargestChild": round(sampler.child_kib / 1024, 1),
        # The machine's 1-minute load average before and after: other work skews a run.
        "loadAverage": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r["tilesPerSecond"])
    median = dict(ordered[len(ordered) // 2])
    median["repeats"] = [
        {"tilesPerSecond": r["tilesPerSecond"], "loadAverage": r["loadAverage"]}
        for r in runs
    ]
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--width", type=int, default=12288)
    parser.add_argument("--height", type=int, default=9216)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each; the median"
    )
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
        took = time.perf_counter() - made
        print(f"slide {args.width}x{args.height} JPEG SVS made in {took:.1f} s")
        measured: dict[tuple[str, int], list[dict[str, Any]]] = {r: [] for r in RUNS}
        # The configurations in turn, so load drifts hit all.
        for _ in range(args.repeat):
            for approach, workers in RUNS:
                one = ["--one", approach, str(workers), str(slide)]
                res = subprocess.run(
                    [sys.executable, __file__, *one],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                )
                measured[(approach, workers)].append(
                    json.loads(res.stdout.strip().splitlines()[-1])
                )
        runs = [_median_run(measured[r]) for r in RUNS]
        for r in runs:
            print(
                f"{r['approach']:15} workers={r['workers']} tiles={r['tiles']} "
                f"{r['tilesPerSecond']:7.1f} tiles/s {r['tilesPerSecondPerCore']:6.1f}/core "
                f"(median of {[x['tilesPerSecond'] for x in r['repeats']]}), "
                f"peak RSS {r['peakRssMiBTotal']} MiB in all, "
                f"{r['peakRssMiBParent']} MiB parent, "
                f"{r['peakRssMiBLargestChild']} MiB largest child"
            )
    report = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": "python3 bench/openslide-tiles.py",
        "machine": {
            "cpuCount": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "openslide": openslide.__library_version__,
            "openslidePython": openslide.__version__,
        },
        "slide": {
            "width": args.width,
            "height": args.height,
            "compression": "jpeg",
            "tile": TILE,
        },
        "deepZoom": {"tileSize": 254, "overlap": 1, "format": "jpeg", "quality": 90},
        "repeat": args.repeat,
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
