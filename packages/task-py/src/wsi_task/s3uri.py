"""`s3://bucket/key` parsing and joining, as packages/task-contract/src/s3-uri.ts does it."""

from __future__ import annotations

import re
from dataclasses import dataclass

_S3_URI = re.compile(r"^s3://([^/]+)/?(.*)$", re.DOTALL)


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def parse_s3_uri(uri: str) -> S3Location:
    """Parses `s3://bucket/key`; the key may be empty (a bucket root or a prefix)."""
    match = _S3_URI.match(uri)
    if not match:
        raise ValueError(f"not an S3 URI (expected s3://bucket/key): {uri!r}")
    return S3Location(match.group(1), match.group(2))


def join_key(prefix: str, *parts: str) -> str:
    """Joins key parts with exactly one `/` between them."""
    pieces = [prefix.rstrip("/"), *(p.strip("/") for p in parts)]
    return "/".join(p for p in pieces if p)
