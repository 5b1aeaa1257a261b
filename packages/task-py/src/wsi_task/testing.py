"""Pytest fixtures for testing a slide task against moto's S3, as the task runs on ECS: load
them with `pytest_plugins = ["wsi_task.testing"]` in a conftest.py (needs the `testing` extra:
pytest and moto[server]).

- `moto_endpoint`: one moto server for the session, on a free port (a task run as a
  subprocess needs a real endpoint, not an in-process mock);
- `aws_env`: credentials, region and AWS_ENDPOINT_URL_S3, what any process talking to it needs;
- `s3`: a boto3 S3 client on it;
- `bucket`: a fresh bucket per test;
- `task_env`: a complete task environment, as RunTask sets it, for slide `slides/a.svs` of
  that bucket (override the fixture to change it).

`aws_environment(endpoint)` and `s3_client(env)` are what `aws_env` and `s3` hold, for a
fixture of a wider scope (a module's, a session's) that cannot use them.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from .contract import ENV

_buckets = itertools.count()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def aws_environment(endpoint: str) -> dict[str, str]:
    """Credentials, region and AWS_ENDPOINT_URL_S3 for the moto server at `endpoint` (what the
    `aws_env` fixture holds; for a fixture of a wider scope than a test's)."""
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": endpoint,
    }


def s3_client(aws_env: dict[str, str]) -> Any:
    """A boto3 S3 client for an `aws_environment`."""
    return boto3.client(
        "s3",
        endpoint_url=aws_env["AWS_ENDPOINT_URL_S3"],
        region_name=aws_env["AWS_REGION"],
        aws_access_key_id=aws_env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=aws_env["AWS_SECRET_ACCESS_KEY"],
    )


@pytest.fixture
def aws_env(moto_endpoint: str) -> dict[str, str]:
    return aws_environment(moto_endpoint)


@pytest.fixture
def s3(aws_env: dict[str, str]) -> Any:
    return s3_client(aws_env)


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"task-{os.getpid()}-{next(_buckets)}"
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
    }
