"""The task as ECS runs it: a process that gets SIGTERM mid-slide, exits 143 and leaves a
checkpoint whose `done` is exactly the units it uploaded; a relaunch finishes the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROGRAM = Path(__file__).parent / "programs" / "unit_task.py"
SRC = Path(__file__).parents[1] / "src"


def start(env: dict[str, str], **extra: str) -> subprocess.Popen[str]:
    path = os.pathsep.join([str(SRC), *sys.path])
    return subprocess.Popen(
        [sys.executable, str(PROGRAM)],
        env={**os.environ, **env, **extra, "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def checkpoint(s3: Any, bucket: str) -> dict[str, Any] | None:
    try:
        body = s3.get_object(Bucket=bucket, Key="checkpoints/a.json")["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    result: dict[str, Any] = json.loads(body)
    return result


def uploaded_units(s3: Any, bucket: str) -> list[str]:
    res = s3.list_objects_v2(Bucket=bucket, Prefix="out/a/units/")
    return sorted(o["Key"] for o in res.get("Contents", []))


def wait_for_done(s3: Any, bucket: str, at_least: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cp = checkpoint(s3, bucket)
        if cp and cp["done"] >= at_least:
            return
        time.sleep(0.02)
    raise AssertionError(f"the task did not reach {at_least} units in {timeout} s")


def test_sigterm_mid_slide_then_resume(s3: Any, bucket: str, task_env: dict[str, str]) -> None:
    proc = start(task_env, UNITS="200", UNIT_DELAY="0.02")
    wait_for_done(s3, bucket, 5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 143, err
    assert time.monotonic() - sent < 5, "must exit well before ECS's stop timeout"

    cp = checkpoint(s3, bucket)
    assert cp is not None
    units = uploaded_units(s3, bucket)
    assert cp["done"] == len(units), "done counts exactly the uploaded units"
    assert 5 <= cp["done"] < 200
    assert cp["total"] == 200
    assert "complete" not in cp

    # The relaunch skips what is done and writes `complete` last.
    rerun = start(task_env, UNITS="200", UNIT_DELAY="0")
    out, err = rerun.communicate(timeout=30)
    assert rerun.returncode == 0, err
    started = next(json.loads(line) for line in out.splitlines() if '"started"' in line)
    assert started["resumedFrom"] == cp["done"]
    final = checkpoint(s3, bucket)
    assert final is not None
    assert final["complete"] is True
    assert final["done"] == final["total"] == 200
    assert len(uploaded_units(s3, bucket)) == 200


def test_stuck_work_still_exits_143_within_the_grace(
    s3: Any, bucket: str, task_env: dict[str, str]
) -> None:
    proc = start(task_env, UNITS="50", UNIT_DELAY="0", STUCK="1", STOP_GRACE_MS="500")
    # Signalled once it is inside the long call: a signal between its last checkpoint and its
    # next stop check (a loaded machine widens that gap) would stop it cleanly, not test this.
    assert proc.stdout is not None
    for line in proc.stdout:  # the library's own log lines come first
        if line.strip() == "stuck":
            break
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 143, err
    assert 0.4 < time.monotonic() - sent < 5
    assert "did not reach a stop check" in err
    cp = checkpoint(s3, bucket)
    assert cp is not None
    assert cp["done"] == len(uploaded_units(s3, bucket)) == 3
