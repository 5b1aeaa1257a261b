"""SIGTERM (ECS's stop: spot interruption, scale-in, StopTask) and Ctrl-C, as a flag the work
checks between units, plus a watchdog that exits anyway before ECS's SIGKILL."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from .errors import StopRequested

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignal:
    def __init__(self) -> None:
        self._event = threading.Event()
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}
        self._watchdog: threading.Timer | None = None

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    @property
    def exit_code(self) -> int:
        """128 + the signal, as a shell reports it: 143 for SIGTERM (the contract's 'stopped')."""
        return 128 + (self.signum or signal.SIGTERM)

    def request(self, signum: int = signal.SIGTERM) -> None:
        if not self.requested:
            self.signum = signum
            self._event.set()

    def check(self) -> None:
        """Raises StopRequested once a stop has been requested: call it between units."""
        if self.requested:
            raise StopRequested()

    def sleep(self, seconds: float) -> bool:
        """Waits; returns False at once if a stop is requested meanwhile."""
        return not self._event.wait(seconds)

    def install(self, grace_seconds: float, last_words: Callable[[], None]) -> None:
        """Handles SIGTERM and SIGINT in the main thread. If the work has not stopped within
        `grace_seconds` (stuck in a long call), `last_words` runs (best effort) and the process
        exits; a second signal exits at once. The stored checkpoint is a safe lower bound, so
        leaving without a last write is still correct, only less progress is kept."""

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            if self.requested:
                _exit(f"second signal {signum}: exiting now", self.exit_code)
            self.request(signum)
            self._watchdog = threading.Timer(grace_seconds, self._expire, (last_words,))
            self._watchdog.daemon = True
            self._watchdog.start()

        for s in _SIGNALS:
            self._previous[s] = signal.signal(s, on_signal)

    def uninstall(self) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        self._previous.clear()
        if self._watchdog is not None:
            self._watchdog.cancel()

    def _expire(self, last_words: Callable[[], None]) -> None:
        # Bounded: a hung S3 call must not carry the task past ECS's stop timeout.
        saver = threading.Thread(target=last_words, daemon=True)
        saver.start()
        saver.join(timeout=2.0)
        _exit("the work did not reach a stop check in time; exiting", self.exit_code)


def _exit(message: str, code: int) -> None:
    sys.stderr.write(f"wsi_task: {message}\n")
    sys.stderr.flush()
    os._exit(code)
