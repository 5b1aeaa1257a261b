"""Reads and validates the task environment up front, so a bad value fails at once with exit 64
and the variable's name, instead of in the middle of a slide."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from .contract import ENV
from .errors import BadEnvironment
from .s3uri import S3Location, parse_s3_uri

#: Not part of the contract: the library's own setting, named as the TypeScript processor's.
STOP_GRACE_MS = "STOP_GRACE_MS"
DEFAULT_STOP_GRACE_SECONDS = 20.0

_BUCKET = re.compile(r"^[a-zA-Z0-9.\-_]{1,255}$")
_MAX_KEY_BYTES = 1024

T = TypeVar("T")


@dataclass(frozen=True)
class TaskEnvironment:
    slide: S3Location
    #: Short and S3-safe: for logs and temporary file names.
    slide_id: str
    checkpoint: S3Location
    #: The output prefix; its key has no trailing slash ('' for the bucket root).
    output: S3Location
    #: After SIGTERM, exit after this long even if the work has not reached a stop check.
    stop_grace_seconds: float


def _checkpoint_location(value: str) -> S3Location:
    loc = parse_s3_uri(value)
    if not loc.key or loc.key.endswith("/"):
        raise ValueError(f"must name an object (s3://bucket/key.json), got {value!r}")
    return loc


def _output_location(value: str) -> S3Location:
    loc = parse_s3_uri(value)
    return S3Location(loc.bucket, loc.key.rstrip("/"))


def _stop_grace(value: str) -> float:
    ms = int(value)
    if not 100 <= ms <= 600_000:
        raise ValueError(f"must be an integer in 100..600000, got {value!r}")
    return ms / 1000


def read_task_environment(environ: Mapping[str, str] | None = None) -> TaskEnvironment:
    """The task's environment; raises BadEnvironment listing every problem found."""
    env = os.environ if environ is None else environ
    problems: list[str] = []

    def field(name: str, parse: Callable[[str], T], required: bool = True) -> T | None:
        value = env.get(name, "").strip()
        if not value:
            if required:
                problems.append(f"{name}: is required")
            return None
        try:
            return parse(value)
        except ValueError as err:
            problems.append(f"{name}: {err}")
            return None

    def bucket(value: str) -> str:
        if not _BUCKET.match(value):
            raise ValueError(f"must be an S3 bucket name, got {value!r}")
        return value

    def key(value: str) -> str:
        if len(value.encode()) > _MAX_KEY_BYTES:
            raise ValueError(f"must be at most {_MAX_KEY_BYTES} bytes")
        return value

    slide_bucket = field(ENV.slide_bucket, bucket)
    slide_key = field(ENV.slide_key, key)
    checkpoint = field(ENV.checkpoint_uri, _checkpoint_location)
    output = field(ENV.output_uri, _output_location)
    grace = field(STOP_GRACE_MS, _stop_grace, required=False)
    if (
        problems
        or slide_bucket is None
        or slide_key is None
        or checkpoint is None
        or output is None
    ):
        raise BadEnvironment("invalid environment:\n  " + "\n  ".join(problems))

    # Only for logs and file names, so a missing ID falls back to the key's last part.
    slide_id = (
        env.get(ENV.slide_id, "").strip()
        or ([p for p in slide_key.split("/") if p] or ["slide"])[-1]
    )
    return TaskEnvironment(
        slide=S3Location(slide_bucket, slide_key),
        slide_id=slide_id,
        checkpoint=checkpoint,
        output=output,
        stop_grace_seconds=DEFAULT_STOP_GRACE_SECONDS if grace is None else grace,
    )
