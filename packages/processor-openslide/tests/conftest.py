"""A moto S3 server for the session (the task runs as a subprocess, as on ECS), a fresh bucket
and task environment per test, and the test slides, made once per session by
dev/slides/make_test_slides.py (its CLI, as the end-to-end tests call it)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from helpers import DEV_SLIDES, python_env
from moto.server import ThreadedMotoServer
from wsi_task import ENV

# make_test_slides and check_output, importable by the tests.
sys.path.insert(0, str(DEV_SLIDES))

_buckets = itertools.count()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": moto_endpoint,
    }


@pytest.fixture
def s3(aws_env: dict[str, str]) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=aws_env["AWS_ENDPOINT_URL_S3"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"openslide-{os.getpid()}-{next(_buckets)}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def task_env(aws_env: dict[str, str], bucket: str) -> dict[str, str]:
    return {
        **aws_env,
        ENV.slide_bucket: bucket,
        ENV.slide_key: "slides/a.svs",
        ENV.slide_id: "a",
        ENV.checkpoint_uri: f"s3://{bucket}/checkpoints/a.json",
        ENV.output_uri: f"s3://{bucket}/out/a/",
        # One process unless a test asks for more (test_processes.py, test_check_output.py):
        # each worker process costs a fresh interpreter on a 2-core machine.
        "PROCESSES": "1",
    }


@pytest.fixture(scope="session")
def test_slides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every kind of test slide, 2048x1536, by the generator's CLI: its manifest, by kind."""
    out = tmp_path_factory.mktemp("slides")
    res = subprocess.run(
        [sys.executable, str(DEV_SLIDES / "make_test_slides.py"), "--out", str(out)],
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    return {entry["kind"]: entry for entry in json.loads(res.stdout)}


@pytest.fixture(scope="session")
def svs_jpeg(test_slides: dict[str, dict[str, Any]]) -> Path:
    return Path(test_slides["svs-jpeg"]["path"])


@pytest.fixture(scope="session")
def svs_j2k(test_slides: dict[str, dict[str, Any]]) -> Path:
    return Path(test_slides["svs-j2k"]["path"])
