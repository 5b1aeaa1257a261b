"""The Python side of the contract must match packages/task-contract/contract.json, the source
of truth (the TypeScript side has test/contract/contract-drift.test.ts)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from wsi_task import CHECKPOINT_VERSION, ENV, PERMANENT_EXIT_CODES, Checkpoint, ExitCode
from wsi_task.contract import CHECKPOINT_SCHEMA, load_contract

SOURCE = Path(__file__).parents[2] / "task-contract" / "contract.json"


def snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


@pytest.fixture(scope="module")
def source() -> dict:
    if not SOURCE.exists():
        pytest.skip("not inside the wsi-orchestrator repository")
    return json.loads(SOURCE.read_text("utf-8"))


def test_the_shipped_copy_is_the_source(source: dict) -> None:
    assert load_contract() == source, (
        "src/wsi_task/contract.json differs from packages/task-contract/contract.json: "
        "copy the source over it"
    )


def test_environment_names(source: dict) -> None:
    expected = {snake(k): v["name"] for k, v in source["environment"].items()}
    assert dataclasses.asdict(ENV) == expected


def test_exit_codes(source: dict) -> None:
    expected = {snake(k).upper(): v["code"] for k, v in source["exitCodes"].items()}
    assert {m.name: m.value for m in ExitCode} == expected
    permanent = {v["code"] for v in source["exitCodes"].values() if v["permanent"]}
    assert permanent == PERMANENT_EXIT_CODES


def test_checkpoint_written_fits_the_schema(source: dict) -> None:
    assert source["checkpoint"]["version"] == CHECKPOINT_VERSION
    body = Checkpoint(4, 4, complete=True, extra={"tileSize": 254}).to_json()
    props = CHECKPOINT_SCHEMA["properties"]
    kinds = {"integer": int, "boolean": bool}
    for name in CHECKPOINT_SCHEMA["required"]:
        assert name in body
    for name, spec in props.items():
        assert name in body, f"the writer leaves out {name}"
        assert isinstance(body[name], kinds[spec["type"]])
        assert body[name] >= spec.get("minimum", 0)
