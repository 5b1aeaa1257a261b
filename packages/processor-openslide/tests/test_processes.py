"""PROCESSES: tiles rendered across worker processes. The output is byte-identical to one
process, the checkpoint rules hold, and SIGTERM (to the task, or to its whole process group)
still saves a last checkpoint and exits 143 at once, leaving no worker behind; nor does SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import alive, checkpoint, children, events, outputs, run, start, wait_for_done
from wsi_task import BadEnvironment
from wsi_task.testing import aws_environment, s3_client

from wsi_openslide.cpus import available_cpus, cgroup_cpu_quota
from wsi_openslide.settings import read_settings

TILES = 99  # the 2048x1536 test slides, 254 + 1


@pytest.fixture(scope="module")
def reference(svs_jpeg: Path, moto_endpoint: str) -> dict[str, bytes]:
    """One process's output of the JPEG SVS, made once in a bucket of its own."""
    env = aws_environment(moto_endpoint)
    s3 = s3_client(env)
    bucket = "processes-reference"
    s3.create_bucket(Bucket=bucket)
    s3.upload_file(str(svs_jpeg), bucket, "slides/a.svs")
    ref_env = {
        **env,
        "SLIDE_BUCKET": bucket,
        "SLIDE_KEY": "slides/a.svs",
        "CHECKPOINT_URI": f"s3://{bucket}/checkpoints/a.json",
        "OUTPUT_URI": f"s3://{bucket}/out/a/",
    }
    code, _, err = run(ref_env, PROCESSES="1", CHUNK_TILES="8")
    assert code == 0, err
    return outputs(s3, bucket)


@pytest.fixture
def uploaded(svs_jpeg: Path, s3: Any, bucket: str) -> None:
    s3.upload_file(str(svs_jpeg), bucket, "slides/a.svs")


def comparable(found: dict[str, bytes]) -> dict[str, Any]:
    """The output, but metadata.json's `source` (the slide's URI: another bucket here)."""
    meta = json.loads(found["metadata.json"])
    del meta["source"]
    return {**found, "metadata.json": meta}


def tiles_of(found: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in found.items() if k.startswith("slide_files/")}


@pytest.mark.usefixtures("uploaded")
def test_two_processes_write_byte_identical_output(
    reference: dict[str, bytes], s3: Any, bucket: str, task_env: dict[str, str]
) -> None:
    code, out, err = run(task_env, PROCESSES="2", CHUNK_TILES="8", UPLOAD_CONCURRENCY="3")
    assert code == 0, err
    assert events(out, "tiling")[0]["processes"] == 2
    assert len(events(out, "chunk")) == 13  # ceil(99 / 8): a checkpoint after each chunk
    found = outputs(s3, bucket)
    assert len(tiles_of(found)) == TILES
    # Tiles, .dzi and thumbnail byte for byte, and metadata.json.
    assert comparable(found) == comparable(reference)
    cp = checkpoint(s3, bucket)
    assert cp is not None and cp["complete"] is True and cp["done"] == TILES


def _stop_mid_slide(
    s3: Any, bucket: str, task_env: dict[str, str], *, group: bool
) -> tuple[set[int], float, Any]:
    """Starts two processes slowed down to ~25 tiles/s, sends SIGTERM once two chunks are done
    (to the task, or to its process group), and returns its workers, the seconds it took to
    exit after the signal, and the finished process."""
    proc = start(task_env, session=group, PROCESSES="2", CHUNK_TILES="8", TILE_DELAY_MS="80")
    wait_for_done(s3, bucket, 16)
    workers = children(proc.pid)
    assert len(workers) >= 2, "two worker processes (and multiprocessing's resource tracker)"
    signalled = time.monotonic()
    if group:
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=25)
    return workers, time.monotonic() - signalled, proc


def _assert_gone(pids: set[int]) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    assert not [p for p in pids if alive(p)], "no worker outlives the task"


@pytest.mark.usefixtures("uploaded")
@pytest.mark.parametrize("group", [False, True], ids=["task", "process-group"])
def test_sigterm_with_workers_checkpoints_and_exits_143(
    group: bool,
    reference: dict[str, bytes],
    s3: Any,
    bucket: str,
    task_env: dict[str, str],
) -> None:
    workers, seconds, proc = _stop_mid_slide(s3, bucket, task_env, group=group)
    assert proc.returncode == 143, proc.stderr
    assert seconds < 5, "well within ECS's stop timeout (30 s) and STOP_GRACE_MS (20 s)"
    _assert_gone(workers)
    cp = checkpoint(s3, bucket)
    assert cp is not None and "complete" not in cp
    uploaded = tiles_of(outputs(s3, bucket))
    assert cp["done"] == len(uploaded), "done counts exactly the uploaded tiles"
    assert 16 <= cp["done"] < TILES
    assert "slide.dzi" not in outputs(s3, bucket)

    code, out, err = run(task_env, PROCESSES="2", CHUNK_TILES="8")
    assert code == 0, err
    assert events(out, "started")[0]["resumedFrom"] == cp["done"]  # nothing redone
    assert comparable(outputs(s3, bucket)) == comparable(reference)


@pytest.mark.usefixtures("uploaded")
def test_sigkill_leaves_no_worker(s3: Any, bucket: str, task_env: dict[str, str]) -> None:
    proc = start(task_env, PROCESSES="2", CHUNK_TILES="8", TILE_DELAY_MS="80")
    wait_for_done(s3, bucket, 8)
    workers = children(proc.pid)
    assert len(workers) >= 2
    proc.kill()
    proc.communicate(timeout=20)
    _assert_gone(workers)  # the workers get SIGKILL when the task's process dies
    cp = checkpoint(s3, bucket)
    assert cp is not None and cp["done"] % 8 == 0
    uploaded = len(tiles_of(outputs(s3, bucket)))
    assert uploaded - cp["done"] <= 8, "at most one chunk beyond the checkpoint"


@pytest.mark.parametrize("value", ["0", "-1", "two", "257"])
def test_bad_processes_is_a_bad_setting(value: str) -> None:
    with pytest.raises(BadEnvironment, match="PROCESSES"):
        read_settings({"PROCESSES": value})


def test_bad_processes_exits_64(s3: Any, bucket: str, task_env: dict[str, str]) -> None:
    code, _, err = run(task_env, PROCESSES="many")
    assert code == 64
    assert "PROCESSES" in err


def test_processes_default_to_the_usable_cpus() -> None:
    assert read_settings({}).processes == available_cpus() >= 1
    assert read_settings({"PROCESSES": " 3 "}).processes == 3
    assert available_cpus() <= len(os.sched_getaffinity(0))


def _cgroup(tmp_path: Path, self_cgroup: str, files: dict[str, str]) -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    proc = tmp_path / "proc-self-cgroup"
    proc.write_text(self_cgroup)
    return root, proc


def test_cgroup_v2_quota_is_the_smallest_on_the_path(tmp_path: Path) -> None:
    root, proc = _cgroup(
        tmp_path,
        "0::/tasks/one\n",
        {
            "cpu.max": "max 100000\n",
            "tasks/cpu.max": "150000 100000\n",
            "tasks/one/cpu.max": "max 100000\n",
        },
    )
    assert cgroup_cpu_quota(root, proc) == 1.5
    assert available_cpus(root, proc) == min(2, len(os.sched_getaffinity(0)))


def test_cgroup_v2_no_quota_and_a_fraction(tmp_path: Path) -> None:
    root, proc = _cgroup(tmp_path, "0::/\n", {"cpu.max": "max 100000\n"})
    assert cgroup_cpu_quota(root, proc) is None
    assert available_cpus(root, proc) == len(os.sched_getaffinity(0))
    # A quarter of a CPU (Fargate's 256 units): still one process.
    root, proc = _cgroup(tmp_path / "b", "0::/\n", {"cpu.max": "25000 100000\n"})
    assert available_cpus(root, proc) == 1


def test_cgroup_v1_quota(tmp_path: Path) -> None:
    root, proc = _cgroup(
        tmp_path,
        "4:memory:/x\n2:cpu,cpuacct:/docker/abc\n0::/\n",
        {
            "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "100000\n",
            "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
            "cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
            "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
        },
    )
    assert cgroup_cpu_quota(root, proc) == 1.0
    assert available_cpus(root, proc) == 1
