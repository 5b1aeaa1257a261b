"""The task library's fixtures (wsi_task.testing: a moto S3 server for the session, since the
task runs as a subprocess as on ECS, a fresh bucket and task environment per test), and the
test slides, made once per session by dev/slides/make_test_slides.py (its CLI, as the
end-to-end tests call it)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import DEV_SLIDES, run_dev_script

# make_test_slides and check_output, importable by the tests.
sys.path.insert(0, str(DEV_SLIDES))

pytest_plugins = ["wsi_task.testing"]


@pytest.fixture
def task_env(task_env: dict[str, str]) -> dict[str, str]:
    # One process unless a test asks for more (test_processes.py, test_check_output.py):
    # each worker process costs a fresh interpreter on a 2-core machine.
    return {**task_env, "PROCESSES": "1"}


@pytest.fixture(scope="session")
def test_slides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every kind of test slide, 2048x1536, by the generator's CLI: its manifest, by kind."""
    out = tmp_path_factory.mktemp("slides")
    res = run_dev_script("make_test_slides.py", "--out", str(out))
    assert res.returncode == 0, res.stderr
    return {entry["kind"]: entry for entry in json.loads(res.stdout)}


@pytest.fixture(scope="session")
def svs_jpeg(test_slides: dict[str, dict[str, Any]]) -> Path:
    return Path(test_slides["svs-jpeg"]["path"])


@pytest.fixture(scope="session")
def svs_j2k(test_slides: dict[str, dict[str, Any]]) -> Path:
    return Path(test_slides["svs-j2k"]["path"])
