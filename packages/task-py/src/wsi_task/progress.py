"""Which units are uploaded, as the one number the checkpoint can hold.

A resumed task skips the first `done` units, so `done` must be a prefix: unit i counts only once
it and every unit before it are uploaded. Units may finish out of order (uploads in threads);
the ones past a gap wait in `_pending` and would simply be redone after a stop.
"""

from __future__ import annotations

import threading


class Progress:
    def __init__(self, total: int, done: int = 0) -> None:
        if not 0 <= done <= total:
            raise ValueError(f"done {done} must be in 0..total ({total})")
        self.total = total
        self._done = done
        self._pending: set[int] = set()
        self._lock = threading.Lock()

    @property
    def done(self) -> int:
        return self._done

    @property
    def finished(self) -> bool:
        return self._done == self.total

    def mark_uploaded(self, index: int) -> None:
        """Call only after unit `index` is uploaded; safe from any thread."""
        if not 0 <= index < self.total:
            raise IndexError(f"unit {index} is outside 0..{self.total - 1}")
        with self._lock:
            if index < self._done:
                return
            self._pending.add(index)
            while self._done in self._pending:
                self._pending.remove(self._done)
                self._done += 1
