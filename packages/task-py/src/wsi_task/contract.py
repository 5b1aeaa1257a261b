"""The task contract, read from this package's copy of packages/task-contract/contract.json.

The names and numbers come from the JSON at import time, so a task can never disagree with the
orchestrator about them; tests/test_contract_drift.py keeps the copy equal to the original.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum
from importlib import resources
from typing import Any, Final


def load_contract() -> dict[str, Any]:
    """The contract as shipped in this package."""
    text = resources.files(__package__).joinpath("contract.json").read_text("utf-8")
    contract: dict[str, Any] = json.loads(text)
    return contract


CONTRACT: Final = load_contract()
_ENV: Final[dict[str, str]] = {k: v["name"] for k, v in CONTRACT["environment"].items()}
_EXIT: Final[dict[str, int]] = {k: v["code"] for k, v in CONTRACT["exitCodes"].items()}


@dataclass(frozen=True)
class TaskEnvNames:
    """The environment variables RunTask sets on the task's container."""

    slide_bucket: str
    slide_key: str
    slide_id: str
    checkpoint_uri: str
    output_uri: str


ENV: Final = TaskEnvNames(
    slide_bucket=_ENV["slideBucket"],
    slide_key=_ENV["slideKey"],
    slide_id=_ENV["slideId"],
    checkpoint_uri=_ENV["checkpointUri"],
    output_uri=_ENV["outputUri"],
)


class ExitCode(IntEnum):
    """Exit codes with a meaning the orchestrator shares (contract.json's exitCodes)."""

    OK = _EXIT["ok"]
    FAILURE = _EXIT["failure"]
    SLIDE_NOT_FOUND = _EXIT["slideNotFound"]
    BAD_ENVIRONMENT = _EXIT["badEnvironment"]
    BAD_SLIDE = _EXIT["badSlide"]
    STOPPED = _EXIT["stopped"]


#: Codes the orchestrator's default policy fails a slide on at once, instead of relaunching.
PERMANENT_EXIT_CODES: Final = frozenset(
    v["code"] for v in CONTRACT["exitCodes"].values() if v["permanent"]
)

CHECKPOINT_VERSION: Final[int] = CONTRACT["checkpoint"]["version"]
CHECKPOINT_SCHEMA: Final[dict[str, Any]] = CONTRACT["checkpoint"]["schema"]
