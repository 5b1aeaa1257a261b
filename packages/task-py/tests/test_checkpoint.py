from __future__ import annotations

import json
from typing import Any

import pytest

from wsi_task import CHECKPOINT_VERSION, Checkpoint, CheckpointStore, S3Location


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"done": 3, "total": 10}, Checkpoint(3, 10)),
        ({"done": 10, "total": 10, "complete": True}, Checkpoint(10, 10, True)),
        # `complete` alone is not trusted: the count must agree.
        ({"done": 9, "total": 10, "complete": True}, Checkpoint(9, 10)),
        ({"done": 1, "total": 2, "tileSize": 254}, Checkpoint(1, 2, extra={"tileSize": 254})),
        ({"done": True, "total": 2}, None),
        ({"done": 3, "total": 2}, None),
        ({"done": -1, "total": 2}, None),
        ({"total": 2}, None),
        ([1, 2], None),
    ],
)
def test_reads_leniently(body: object, expected: Checkpoint | None) -> None:
    assert Checkpoint.from_json(body) == expected


def test_complete_needs_every_unit() -> None:
    with pytest.raises(ValueError):
        Checkpoint(9, 10, complete=True)
    assert "complete" not in Checkpoint(9, 10).to_json()
    body = Checkpoint(2, 2, True, {"done": 99, "mine": 1}).to_json()
    assert body == {
        "version": CHECKPOINT_VERSION,
        "done": 2,
        "total": 2,
        "complete": True,
        "mine": 1,
    }


def test_store_round_trip_and_bad_bodies(s3: Any, bucket: str) -> None:
    store = CheckpointStore(s3, S3Location(bucket, "cp/a.json"))
    assert store.read() == (None, None)
    store.write(Checkpoint(5, 8, extra={"tileSize": 254}))
    cp, warning = store.read()
    assert warning is None
    assert cp is not None and (cp.done, cp.total, cp.complete) == (5, 8, False)
    assert cp.extra["tileSize"] == 254 and "updatedAt" in cp.extra
    stored = json.loads(s3.get_object(Bucket=bucket, Key="cp/a.json")["Body"].read())
    assert stored["version"] == CHECKPOINT_VERSION

    s3.put_object(Bucket=bucket, Key="cp/a.json", Body=b"{not json")
    assert store.read()[1] is not None
    s3.put_object(Bucket=bucket, Key="cp/a.json", Body=b'{"done": "x"}')
    cp, warning = store.read()
    assert cp is None and warning is not None
