"""The task's S3 client and the one S3 error it tells apart: 'not found'."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

#: boto3 ships no type stubs; the client is typed loosely rather than pull in another package.
S3Client = Any


def create_s3_client(environ: Mapping[str, str] | None = None) -> S3Client:
    """An S3 client; an endpoint variable means a local emulator, which needs path-style URLs."""
    env = os.environ if environ is None else environ
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None
    config = Config(
        retries={"mode": "standard", "max_attempts": 5},
        s3={"addressing_style": "path"} if endpoint else {},
    )
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None
    return boto3.client("s3", endpoint_url=endpoint, region_name=region, config=config)


def is_not_found(err: BaseException) -> bool:
    """NoSuchKey from GetObject, or the bare 404 that HeadObject and downloads give."""
    if not isinstance(err, ClientError):
        return False
    code = str(err.response.get("Error", {}).get("Code", ""))
    return code in ("NoSuchKey", "404", "NotFound")
