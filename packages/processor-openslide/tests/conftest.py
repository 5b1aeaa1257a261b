"""A moto S3 server for the session (the task runs as a subprocess, as on ECS), a fresh bucket
and task environment per test, and the synthetic slides, made once per session."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from slides import JPEG, JPEG2000, make_svs
from wsi_task import ENV

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
    }


@pytest.fixture(scope="session")
def svs_jpeg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_svs(tmp_path_factory.mktemp("slides") / "jpeg.svs", compression=JPEG)


@pytest.fixture(scope="session")
def svs_j2k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_svs(tmp_path_factory.mktemp("slides") / "j2k.svs", compression=JPEG2000)
