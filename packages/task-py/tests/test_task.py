"""run_task in-process against moto: exit codes, resume, and the order of writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wsi_task import BadSlide, ExitCode, TaskContext, run_task

CHECKPOINT_KEY = "checkpoints/a.json"


class RecordingS3:
    """Passes calls to the real client and records every put, in order."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3
        self.puts: list[tuple[str, dict[str, Any] | None]] = []

    def put_object(self, **kw: Any) -> Any:
        is_checkpoint = kw["Key"] == CHECKPOINT_KEY
        self.puts.append((kw["Key"], json.loads(kw["Body"]) if is_checkpoint else None))
        return self._s3.put_object(**kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)


def units_task(total: int, fail_at: int | None = None) -> Any:
    def work(task: TaskContext) -> None:
        task.start(total, identity={"unitSize": 1})
        for i in task.remaining():
            if i == fail_at:
                raise RuntimeError("boom")
            task.upload(f"units/{i}.txt", str(i))
            task.uploaded(i)
        task.upload("index.json", "{}", "application/json")

    return work


def run(env: dict[str, str], s3: Any, work: Any) -> int:
    return run_task(work, environ=env, s3=s3, checkpoint_seconds=0, handle_signals=False)


def test_complete_is_written_last_and_done_never_runs_ahead(s3: Any, task_env: dict) -> None:
    rec = RecordingS3(s3)
    assert run(task_env, rec, units_task(6)) == ExitCode.OK
    uploaded = 0
    for key, checkpoint in rec.puts:
        if checkpoint is None:
            uploaded += key.startswith("out/a/units/")
        else:
            assert checkpoint["done"] <= uploaded
    last_key, last = rec.puts[-1]
    assert last_key == CHECKPOINT_KEY and last is not None
    assert last["complete"] is True and last["done"] == last["total"] == 6
    assert [c for _, c in rec.puts[:-1] if c and c.get("complete")] == []
    assert ("out/a/index.json", None) in rec.puts


def test_a_failure_keeps_progress_and_a_relaunch_resumes(s3: Any, task_env: dict) -> None:
    assert run(task_env, s3, units_task(6, fail_at=4)) == ExitCode.FAILURE
    cp = json.loads(
        s3.get_object(Bucket=task_env["SLIDE_BUCKET"], Key=CHECKPOINT_KEY)["Body"].read()
    )
    assert (cp["done"], cp["total"], cp["unitSize"]) == (4, 6, 1)
    assert "complete" not in cp

    rec = RecordingS3(s3)
    assert run(task_env, rec, units_task(6)) == ExitCode.OK
    redone = [k for k, c in rec.puts if c is None and k.startswith("out/a/units/")]
    assert redone == ["out/a/units/4.txt", "out/a/units/5.txt"]


def test_a_checkpoint_of_other_work_is_ignored(s3: Any, task_env: dict) -> None:
    body = json.dumps({"done": 3, "total": 6, "unitSize": 2})
    s3.put_object(Bucket=task_env["SLIDE_BUCKET"], Key=CHECKPOINT_KEY, Body=body)
    rec = RecordingS3(s3)
    assert run(task_env, rec, units_task(6)) == ExitCode.OK
    assert sum(1 for k, c in rec.puts if c is None and "/units/" in k) == 6


def test_returning_early_is_a_failure_not_complete(s3: Any, task_env: dict) -> None:
    def work(task: TaskContext) -> None:
        task.start(3)
        task.upload("units/0.txt", "0")
        task.uploaded(0)

    assert run(task_env, s3, work) == ExitCode.FAILURE
    cp = json.loads(
        s3.get_object(Bucket=task_env["SLIDE_BUCKET"], Key=CHECKPOINT_KEY)["Body"].read()
    )
    assert cp["done"] == 1 and "complete" not in cp


def test_exit_codes(s3: Any, task_env: dict, tmp_path: Path, capsys: Any) -> None:
    def download(task: TaskContext) -> None:
        task.download_slide(tmp_path / "slide")

    assert run(task_env, s3, download) == ExitCode.SLIDE_NOT_FOUND == 2

    def unreadable(task: TaskContext) -> None:
        raise BadSlide("not an image")

    assert run(task_env, s3, unreadable) == ExitCode.BAD_SLIDE == 65
    assert run({}, s3, download) == ExitCode.BAD_ENVIRONMENT == 64
    assert "SLIDE_BUCKET: is required" in capsys.readouterr().err

    s3.put_object(Bucket=task_env["SLIDE_BUCKET"], Key=task_env["SLIDE_KEY"], Body=b"pixels")
    assert run(task_env, s3, download) == ExitCode.OK
    assert (tmp_path / "slide").read_bytes() == b"pixels"


def test_a_task_without_units_completes(s3: Any, task_env: dict) -> None:
    assert run(task_env, s3, lambda task: None) == ExitCode.OK
    cp = json.loads(
        s3.get_object(Bucket=task_env["SLIDE_BUCKET"], Key=CHECKPOINT_KEY)["Body"].read()
    )
    assert (cp["done"], cp["total"], cp["complete"]) == (0, 0, True)
