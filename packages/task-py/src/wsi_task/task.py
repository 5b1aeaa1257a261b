"""TaskContext (what the work sees) and run_task (the process-level part: environment, signals,
checkpoints and exit codes)."""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .checkpoint import Checkpoint, CheckpointStore
from .contract import ExitCode
from .environment import TaskEnvironment, read_task_environment
from .errors import SlideNotFound, StopRequested, TaskError
from .progress import Progress
from .s3 import S3Client, create_s3_client, is_not_found
from .s3uri import join_key
from .stop import StopSignal


class TaskContext:
    def __init__(
        self,
        env: TaskEnvironment,
        s3: S3Client,
        stop: StopSignal,
        checkpoint_seconds: float = 2.0,
    ) -> None:
        self.env = env
        self.s3 = s3
        self.stop = stop
        self._store = CheckpointStore(s3, env.checkpoint)
        self._checkpoint_seconds = checkpoint_seconds
        self._progress: Progress | None = None
        self._identity: dict[str, Any] = {}
        self._resumed_from = 0
        self._last_write = 0.0
        # One writer at a time, so a later write never stores a smaller `done`.
        self._write_lock = threading.Lock()
        self._complete = False

    # -- progress and checkpoints ------------------------------------------------------------

    def start(self, total: int, identity: Mapping[str, Any] | None = None) -> int:
        """Declares the number of output units and returns how many are already done.

        `identity` (e.g. tile size, format) is stored in the checkpoint; a stored checkpoint
        whose total or identity differs describes other work, so the task starts over."""
        self._identity = dict(identity or {})
        stored, warning = self._store.read()
        done = 0
        if warning:
            self.log("checkpoint_ignored", reason=warning)
        elif stored is not None:
            changed = [
                k for k, v in self._identity.items() if k in stored.extra and stored.extra[k] != v
            ]
            if stored.total != total or changed:
                self.log("checkpoint_ignored", reason=f"other work (total or {changed})")
            else:
                done = stored.done
        self._progress = Progress(total, done)
        self._resumed_from = done
        self.log("started", total=total, resumedFrom=done)
        return done

    @property
    def progress(self) -> Progress:
        if self._progress is None:
            raise RuntimeError("call start(total) first")
        return self._progress

    def remaining(self) -> Iterator[int]:
        """The units still to do, in order; raises StopRequested between units after SIGTERM."""
        for index in range(self._resumed_from, self.progress.total):
            self.stop.check()
            yield index

    def uploaded(self, index: int) -> None:
        """Records that unit `index` is uploaded (call only after the upload returned); writes
        the checkpoint when the last write is older than `checkpoint_seconds`."""
        self.progress.mark_uploaded(index)
        if time.monotonic() - self._last_write >= self._checkpoint_seconds:
            self.save_checkpoint()

    def save_checkpoint(self) -> None:
        """Stores the progress so far (never `complete`: only run_task writes that, last)."""
        self._write(complete=False)

    def _write(self, complete: bool) -> None:
        with self._write_lock:
            if self._progress is None or self._complete:
                return
            p = self._progress
            self._store.write(Checkpoint(p.done, p.total, complete, dict(self._identity)))
            self._last_write = time.monotonic()
            self._complete = complete

    def _finish(self) -> None:
        if self._progress is None:  # a task with no units of its own
            self._progress = Progress(0)
        p = self._progress
        if not p.finished:
            raise TaskError(f"the work returned with {p.done} of {p.total} units uploaded")
        self._write(complete=True)
        self.log("complete", total=p.total)

    # -- S3 helpers ---------------------------------------------------------------------------

    def download_slide(self, path: str | Path) -> Path:
        """Downloads the slide to `path`; a missing slide is SlideNotFound (exit 2)."""
        target = Path(path)
        try:
            self.s3.download_file(self.env.slide.bucket, self.env.slide.key, str(target))
        except Exception as err:
            if is_not_found(err):
                raise SlideNotFound(f"slide {self.env.slide.uri} does not exist") from err
            raise
        return target

    def output_key(self, relative: str) -> str:
        return join_key(self.env.output.key, relative)

    def upload(self, relative: str, body: bytes | str, content_type: str | None = None) -> str:
        """Puts `body` at OUTPUT_URI + `relative` and returns its key."""
        key = self.output_key(relative)
        extra = {"ContentType": content_type} if content_type else {}
        data = body.encode() if isinstance(body, str) else body
        self.s3.put_object(Bucket=self.env.output.bucket, Key=key, Body=data, **extra)
        return key

    def log(self, event: str, **fields: Any) -> None:
        """One JSON line on stdout (CloudWatch keeps it as one event)."""
        line = {"event": event, "slideId": self.env.slide_id, **fields}
        print(json.dumps(line), flush=True)


def run_task(
    work: Callable[[TaskContext], None],
    *,
    environ: Mapping[str, str] | None = None,
    s3: S3Client | None = None,
    checkpoint_seconds: float = 2.0,
    handle_signals: bool = True,
) -> int:
    """Runs `work` as a slide task and returns the exit code for sys.exit.

    0 once every unit is uploaded and the complete checkpoint is written; 143 after SIGTERM
    (130 after Ctrl-C) with a last checkpoint; TaskError's code; 1 for anything else."""
    try:
        env = read_task_environment(environ)
    except TaskError as err:
        _fail(str(err))
        return err.exit_code

    stop = StopSignal()
    ctx = TaskContext(env, s3 or create_s3_client(environ), stop, checkpoint_seconds)
    if handle_signals:
        stop.install(env.stop_grace_seconds, lambda: _save_quietly(ctx))
    try:
        work(ctx)
        ctx._finish()
        return ExitCode.OK
    except StopRequested:
        code = stop.exit_code
    except TaskError as err:
        _fail(str(err))
        code = stop.exit_code if stop.requested else err.exit_code
    except Exception:
        _fail(traceback.format_exc())
        code = stop.exit_code if stop.requested else ExitCode.FAILURE
    finally:
        if handle_signals:
            stop.uninstall()
    # Whatever ended the work, the units already uploaded need not be redone.
    _save_quietly(ctx)
    ctx.log("stopped" if stop.requested else "failed", exitCode=code)
    return code


def _save_quietly(ctx: TaskContext) -> None:
    try:
        ctx.save_checkpoint()
    except Exception as err:
        _fail(f"could not save the last checkpoint: {err}")


def _fail(message: str) -> None:
    sys.stderr.write(f"wsi_task: {message}\n")
    sys.stderr.flush()
