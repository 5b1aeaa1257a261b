"""The checkpoint: one small JSON object in S3 that the task writes and the orchestrator reads.

The contract's rules (contract.json, checkpoint.rules): `done` counts only units already
uploaded, so the stored object is a safe lower bound even if the task dies between two writes;
`complete: true` comes last, and only with done == total.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .contract import CHECKPOINT_VERSION
from .s3 import S3Client, is_not_found
from .s3uri import S3Location

_CORE_FIELDS = ("version", "done", "total", "complete")


def _count(value: object) -> int | None:
    # JSON's true is a Python int too, and must not count as 1.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


@dataclass
class Checkpoint:
    done: int
    total: int
    complete: bool = False
    #: The task's own fields (the contract allows them), kept across reads and writes.
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 <= self.done <= self.total:
            raise ValueError(f"checkpoint done {self.done} must be in 0..total ({self.total})")
        if self.complete and self.done != self.total:
            raise ValueError("a checkpoint is complete only with done == total")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {k: v for k, v in self.extra.items() if k not in _CORE_FIELDS}
        body.update(version=CHECKPOINT_VERSION, done=self.done, total=self.total)
        if self.complete:
            body["complete"] = True
        return body

    @classmethod
    def from_json(cls, body: object) -> Checkpoint | None:
        """Lenient, like the orchestrator's reader: anything unusable is None (start over)."""
        if not isinstance(body, dict):
            return None
        done, total = _count(body.get("done")), _count(body.get("total"))
        if done is None or total is None or done > total:
            return None
        extra = {k: v for k, v in body.items() if k not in _CORE_FIELDS}
        # `complete` alone is not trusted: the count must agree.
        return cls(done, total, body.get("complete") is True and done == total, extra)


class CheckpointStore:
    def __init__(self, s3: S3Client, location: S3Location) -> None:
        self._s3 = s3
        self.location = location

    def read(self) -> tuple[Checkpoint | None, str | None]:
        """The stored checkpoint, or None with a warning when it is there but unusable."""
        try:
            res = self._s3.get_object(Bucket=self.location.bucket, Key=self.location.key)
        except Exception as err:
            if is_not_found(err):
                return None, None
            raise
        try:
            body = json.loads(res["Body"].read())
        except ValueError:
            return None, f"checkpoint {self.location.uri} is not JSON; starting over"
        checkpoint = Checkpoint.from_json(body)
        if checkpoint is None:
            return None, f"checkpoint {self.location.uri} is not a valid checkpoint; starting over"
        return checkpoint, None

    def write(self, checkpoint: Checkpoint) -> None:
        body = checkpoint.to_json()
        body["updatedAt"] = datetime.now(timezone.utc).isoformat()
        self._s3.put_object(
            Bucket=self.location.bucket,
            Key=self.location.key,
            Body=json.dumps(body).encode(),
            ContentType="application/json",
        )
