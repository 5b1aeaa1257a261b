"""Running the processor as ECS does (a subprocess) and reading what it left in S3."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SRC = Path(__file__).parents[1] / "src"


def start(env: dict[str, str], **extra: str) -> subprocess.Popen[str]:
    path = os.pathsep.join([str(SRC), *sys.path])
    return subprocess.Popen(
        [sys.executable, "-m", "wsi_openslide"],
        env={**os.environ, **env, **extra, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(env: dict[str, str], **extra: str) -> tuple[int, str, str]:
    proc = start(env, **extra)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def checkpoint(s3: Any, bucket: str) -> dict[str, Any] | None:
    try:
        body = s3.get_object(Bucket=bucket, Key="checkpoints/a.json")["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    result: dict[str, Any] = json.loads(body)
    return result


def outputs(s3: Any, bucket: str, prefix: str = "out/a/") -> dict[str, bytes]:
    """Every object under the output prefix, by key relative to it."""
    found: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            found[obj["Key"][len(prefix) :]] = body
    return found


def events(out: str, name: str) -> list[dict[str, Any]]:
    return [
        e for e in (json.loads(line) for line in out.splitlines() if line) if e["event"] == name
    ]
