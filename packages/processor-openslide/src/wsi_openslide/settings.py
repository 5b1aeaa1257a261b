"""The processor's own settings, from the environment; a bad value exits 64 (BadEnvironment)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from wsi_task import BadEnvironment

from .cpus import available_cpus

FORMATS = {"jpeg": "jpeg", "jpg": "jpeg", "png": "png"}
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class Settings:
    chunk_tiles: int = 64
    tile_size: int = 254
    overlap: int = 1
    format: str = "jpeg"
    quality: int = 90
    thumbnail_size: int = 1024
    # Names of associated images (label, macro, ...) to export: none by default, since a label
    # or macro image can show a patient's name or barcode.
    export_associated: tuple[str, ...] = ()
    # Worker processes rendering tiles: by default the CPUs this process may use (its affinity,
    # capped by its cgroup's CPU quota and, on ECS, the task's CPU limit from the task metadata
    # endpoint). 1 renders in the task's own process.
    processes: int = field(default_factory=available_cpus)
    # Tile uploads in flight at once (threads of the task's own process).
    upload_concurrency: int = 8
    # A test and benchmark knob: a pause before each tile, so a small slide takes a while.
    tile_delay_ms: int = 0

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadEnvironment(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise BadEnvironment(f"{name} must be between {low} and {high}, got {value}")
    return value


def read_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    raw_format = env.get("TILE_FORMAT", "").strip().lower() or "jpeg"
    if raw_format not in FORMATS:
        raise BadEnvironment(f"TILE_FORMAT must be jpeg or png, got {raw_format!r}")
    names = [n.strip() for n in env.get("EXPORT_ASSOCIATED_IMAGES", "").split(",") if n.strip()]
    for name in names:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
            raise BadEnvironment(f"EXPORT_ASSOCIATED_IMAGES: bad image name {name!r}")
    return Settings(
        chunk_tiles=_int(env, "CHUNK_TILES", 64, 1, 100_000),
        tile_size=_int(env, "TILE_SIZE", 254, 1, 8192),
        overlap=_int(env, "TILE_OVERLAP", 1, 0, 64),
        format=FORMATS[raw_format],
        quality=_int(env, "TILE_QUALITY", 90, 1, 100),
        thumbnail_size=_int(env, "THUMBNAIL_SIZE", 1024, 16, 8192),
        export_associated=tuple(dict.fromkeys(names)),
        processes=_int(env, "PROCESSES", 0, 1, 256) or available_cpus(environ=env),
        upload_concurrency=_int(env, "UPLOAD_CONCURRENCY", 8, 1, 64),
        tile_delay_ms=_int(env, "TILE_DELAY_MS", 0, 0, 600_000),
    )
