"""Tile rendering: in the task's own process (PROCESSES=1), or across worker processes that
each open the slide once. Either way a tile's bytes depend only on the slide and the settings
(DeepZoomGenerator + the deterministic encoder), so the output is byte-identical.

The workers are started with "spawn" (a fresh interpreter: no threads, locks or open slide
handles inherited from the task) and never outlive the task: they die on SIGTERM (the task's
process, not a worker, owns the checkpoint), ignore Ctrl-C (the task stops them), and on Linux
get SIGKILL when the task's process dies, even by SIGKILL."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import TracebackType
from typing import Any

import openslide
from openslide.deepzoom import DeepZoomGenerator
from wsi_task import StopRequested, StopSignal

from .settings import Settings
from .tiles import TileRef, encode_tile

PR_SET_PDEATHSIG = 1


class TileRenderer:
    """Renders the tiles of `tiles` (the processing order) to encoded bytes, by index."""

    def render(self, index: int) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        """Stops rendering; tiles not yet asked for are dropped."""

    def __enter__(self) -> TileRenderer:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()


def deep_zoom(slide: openslide.OpenSlide, settings: Settings) -> DeepZoomGenerator:
    return DeepZoomGenerator(
        slide, tile_size=settings.tile_size, overlap=settings.overlap, limit_bounds=False
    )


def _render(dz: DeepZoomGenerator, tile: TileRef, fmt: str, quality: int, delay: float) -> bytes:
    if delay:
        time.sleep(delay)
    return encode_tile(dz.get_tile(tile.level, (tile.col, tile.row)), fmt, quality)


class InProcessRenderer(TileRenderer):
    def __init__(self, dz: DeepZoomGenerator, tiles: Sequence[TileRef], settings: Settings) -> None:
        self._dz = dz
        self._tiles = tiles
        self._fmt = settings.format
        self._quality = settings.quality
        self._delay = settings.tile_delay_ms / 1000

    def render(self, index: int) -> bytes:
        return _render(self._dz, self._tiles[index], self._fmt, self._quality, self._delay)


class ProcessPoolRenderer(TileRenderer):
    """Worker processes render batches of BATCH consecutive tiles (one round trip each, not
    one per tile) a few batches ahead of the tile asked for, so they stay busy while the task
    uploads; the task still takes the tiles in order."""

    BATCH = 8

    def __init__(
        self, slide_path: Path, tiles: Sequence[TileRef], settings: Settings, stop: StopSignal
    ) -> None:
        self._tiles = tiles
        self._stop = stop
        self._ahead = 2 * settings.processes  # batches submitted beyond the current one
        self._batches: dict[int, Future[list[bytes]]] = {}
        self._done: dict[int, list[bytes]] = {}
        self._first: int | None = None  # batches are counted from the first tile asked for
        self._submitted = 0
        self._pool = ProcessPoolExecutor(
            settings.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(
                str(slide_path),
                settings.tile_size,
                settings.overlap,
                settings.format,
                settings.quality,
                settings.tile_delay_ms / 1000,
                os.getpid(),
            ),
        )

    def _submit(self, batch: int) -> None:
        assert self._first is not None
        start = self._first + batch * self.BATCH
        tiles = [tuple(t) for t in self._tiles[start : start + self.BATCH]]
        if tiles:
            self._batches[batch] = self._pool.submit(_worker_tiles, tiles)

    def render(self, index: int) -> bytes:
        if self._first is None:
            self._first = index
        batch, offset = divmod(index - self._first, self.BATCH)
        while self._submitted <= batch + self._ahead:
            self._submit(self._submitted)
            self._submitted += 1
        if batch not in self._done:
            self._done.clear()  # the tiles of earlier batches have been taken
            future = self._batches.pop(batch)
            try:
                self._done[batch] = future.result()
            except BrokenProcessPool:
                # The workers die on SIGTERM: when the whole process group got it, that is a
                # stop, not a failure (the task's own handler may run just after the pool broke).
                if self._stop.requested or not self._stop.sleep(0.5):
                    raise StopRequested() from None
                raise
        return self._done[batch][offset]

    def close(self) -> None:
        # A worker finishes at most the batch it is on; the queued ones are dropped.
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._batches.clear()
        self._done.clear()


def open_renderer(
    slide: openslide.OpenSlide,
    slide_path: Path,
    tiles: Sequence[TileRef],
    settings: Settings,
    stop: StopSignal,
) -> TileRenderer:
    if settings.processes <= 1:
        return InProcessRenderer(deep_zoom(slide, settings), tiles, settings)
    return ProcessPoolRenderer(slide_path, tiles, settings, stop)


# -- in a worker process ---------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(
    path: str,
    tile_size: int,
    overlap: int,
    fmt: str,
    quality: int,
    delay: float,
    parent: int,
) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    slide = openslide.OpenSlide(path)
    dz = DeepZoomGenerator(slide, tile_size=tile_size, overlap=overlap, limit_bounds=False)
    _worker.update(slide=slide, dz=dz, fmt=fmt, quality=quality, delay=delay)


def _worker_tiles(tiles: list[tuple[int, int, int]]) -> list[bytes]:
    w = _worker
    return [_render(w["dz"], TileRef(*tile), w["fmt"], w["quality"], w["delay"]) for tile in tiles]


def _die_with(parent: int) -> None:
    """SIGKILL when the task's process dies (Linux); exits now if it already has."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
