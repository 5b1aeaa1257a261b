"""The slide task: download, open with OpenSlide, write metadata and a thumbnail, then the
DeepZoom tiles in chunks (checkpoint after each), then the .dzi descriptor last."""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path, PurePosixPath

import openslide
from wsi_task import BadSlide, SlideNotFound, TaskContext

from .metadata import slide_metadata
from .render import TileRenderer, deep_zoom, open_renderer
from .settings import Settings, read_settings
from .tiles import TileRef, dzi_xml, encode_tile, tile_order, tile_path


def process_slide(task: TaskContext, settings: Settings | None = None) -> None:
    settings = settings or read_settings()
    with tempfile.TemporaryDirectory(prefix=f"wsi-openslide-{task.env.slide_id}-") as tmp:
        path = download(task, Path(tmp))
        slide = open_slide(path)
        try:
            _process(task, slide, path, settings)
        except openslide.OpenSlideError as err:
            raise BadSlide(f"OpenSlide cannot read {task.env.slide.uri}: {err}") from err
        finally:
            slide.close()


def download(task: TaskContext, folder: Path) -> Path:
    """The slide as OpenSlide needs it on disk. A key ending in "/" is a folder (DICOM WSI): every
    object under it is fetched. An .mrxs also needs its data folder, the sibling prefix of the
    same name; both keep their names, since OpenSlide finds companion files by name."""
    key = task.env.slide.key
    if key.endswith("/"):
        files = _download_prefix(task, key, folder)
        if not files:
            raise SlideNotFound(f"no objects under {task.env.slide.uri}")
        return files[0]
    target = folder / (PurePosixPath(key).name or "slide")
    task.download_slide(target)
    if key.lower().endswith(".mrxs"):
        _download_prefix(task, key[: -len(".mrxs")] + "/", folder / target.stem)
    return target


def _download_prefix(task: TaskContext, prefix: str, folder: Path) -> list[Path]:
    bucket = task.env.slide.bucket
    files: list[Path] = []
    for page in task.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            relative = obj["Key"][len(prefix) :]
            if not relative or relative.endswith("/") or ".." in relative.split("/"):
                continue
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            task.s3.download_file(bucket, obj["Key"], str(target))
            files.append(target)
    return sorted(files)


def open_slide(path: Path) -> openslide.OpenSlide:
    try:
        return openslide.OpenSlide(path)
    except openslide.OpenSlideUnsupportedFormatError as err:
        raise BadSlide(f"not a slide OpenSlide can read (unsupported format): {err}") from err
    except (openslide.OpenSlideError, OSError) as err:
        raise BadSlide(f"OpenSlide cannot open the slide: {err}") from err


def _write_tiles(
    task: TaskContext, tiles: Sequence[TileRef], renderer: TileRenderer, settings: Settings
) -> None:
    # Bounds the encoded tiles waiting for an upload thread.
    slots = threading.BoundedSemaphore(2 * settings.upload_concurrency)
    chunk: list[Future[None]] = []

    def upload(index: int, body: bytes) -> None:
        try:
            task.upload(tile_path(tiles[index], settings.format), body, settings.content_type)
            task.uploaded(index)
        finally:
            slots.release()

    with ThreadPoolExecutor(settings.upload_concurrency, thread_name_prefix="upload") as pool:
        try:
            for index in task.remaining():
                body = renderer.render(index)
                slots.acquire()
                chunk.append(pool.submit(upload, index, body))
                if (index + 1) % settings.chunk_tiles == 0 or index + 1 == len(tiles):
                    for future in chunk:
                        future.result()  # the first failed upload fails the task
                    chunk.clear()
                    task.save_checkpoint()
                    task.log("chunk", done=index + 1, total=len(tiles), level=tiles[index].level)
        finally:
            # Stopping or failing: the uploads already started end first, so `done` counts them.
            wait(chunk)


def _process(task: TaskContext, slide: openslide.OpenSlide, path: Path, settings: Settings) -> None:
    dz = deep_zoom(slide, settings)
    tiles = list(tile_order(dz))
    width, height = slide.dimensions
    task.start(
        total=len(tiles),
        identity={
            "tileSize": settings.tile_size,
            "overlap": settings.overlap,
            "format": settings.format,
            "quality": settings.quality,
            "width": width,
            "height": height,
        },
    )

    # Small outputs first (idempotent, rewritten on a relaunch): they do not count as units.
    meta = slide_metadata(slide, task.env.slide.uri)
    meta["deepZoom"] = {
        "descriptor": "slide.dzi",
        "tileSize": settings.tile_size,
        "overlap": settings.overlap,
        "format": settings.format,
        "levels": dz.level_count,
        "tiles": len(tiles),
    }
    thumb = slide.get_thumbnail((settings.thumbnail_size, settings.thumbnail_size))
    task.upload("thumbnail.jpg", encode_tile(thumb, "jpeg", 90), "image/jpeg")
    exported = []
    for name in settings.export_associated:
        image = slide.associated_images.get(name)
        if image is None:
            task.log("associated_image_missing", name=name)
            continue
        task.upload(f"associated/{name}.jpg", encode_tile(image, "jpeg", 90), "image/jpeg")
        exported.append(name)
    meta["exportedAssociatedImages"] = exported
    task.upload("metadata.json", json.dumps(meta, indent=2) + "\n", "application/json")

    # Tiles, chunk by chunk: rendered in PROCESSES processes, uploaded by UPLOAD_CONCURRENCY
    # threads. A chunk's tiles are all uploaded before the checkpoint advances, so a SIGKILL
    # redoes at most one chunk. SIGTERM stops between tiles (remaining() raises); the uploads
    # already started finish, and run_task saves `done` = the tiles uploaded.
    task.log("tiling", processes=settings.processes, uploadConcurrency=settings.upload_concurrency)
    with open_renderer(slide, path, tiles, settings, task.stop) as renderer:
        _write_tiles(task, tiles, renderer, settings)

    fmt = settings.format
    descriptor = dzi_xml(width, height, settings.tile_size, settings.overlap, fmt)
    task.upload("slide.dzi", descriptor, "application/xml")
