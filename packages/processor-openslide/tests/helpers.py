"""Running the processor as ECS does (a subprocess) and reading what it left in S3."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SRC = Path(__file__).parents[1] / "src"
ROOT = Path(__file__).resolve().parents[3]
DEV_SLIDES = ROOT / "dev" / "slides"


def python_env(*overlays: dict[str, str]) -> dict[str, str]:
    """os.environ with `overlays` on top, and this interpreter's path for a child process (the
    pinned tools and both packages)."""
    path = os.pathsep.join([str(SRC), *sys.path])
    env = dict(os.environ)
    for overlay in overlays:
        env.update(overlay)
    return {**env, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"}


def run_dev_script(
    script: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """One of dev/slides' scripts (make_test_slides.py, check_output.py) through its CLI."""
    return subprocess.run(
        [sys.executable, str(DEV_SLIDES / script), *args],
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(env: dict[str, str], session: bool = False, **extra: str) -> subprocess.Popen[str]:
    """The processor as a subprocess; `session`: in a process group of its own (to signal it
    with its workers, as a process group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "wsi_openslide"],
        env=python_env(env, extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=session,
    )


def run(env: dict[str, str], **extra: str) -> tuple[int, str, str]:
    proc = start(env, **extra)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def wait_for_done(s3: Any, bucket: str, done: int, timeout: float = 30) -> dict[str, Any]:
    """The checkpoint, once it counts at least `done` tiles."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cp = checkpoint(s3, bucket)
        if cp and cp["done"] >= done:
            return cp
        time.sleep(0.005)
    raise AssertionError(f"the checkpoint did not reach {done} tiles in {timeout} s")


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


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
