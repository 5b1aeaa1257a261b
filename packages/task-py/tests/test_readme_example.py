"""The README's example runs as written, given a `cut_tiles` of its own."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

README = Path(__file__).parents[1] / "README.md"


def test_the_readme_example_completes(
    s3: Any, task_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    match = re.search(r"```python\n(.*?)```", README.read_text("utf-8"), re.DOTALL)
    assert match, "README.md has no python example"
    code = match.group(1).replace("/tmp/slide", str(tmp_path / "slide"))
    for name, value in task_env.items():
        monkeypatch.setenv(name, value)
    bucket = task_env["SLIDE_BUCKET"]
    s3.put_object(Bucket=bucket, Key=task_env["SLIDE_KEY"], Body=b"slide")

    with pytest.raises(SystemExit) as exited:
        exec(code, {"__name__": "__main__", "cut_tiles": lambda path: [b"a", b"b", b"c"]})
    assert exited.value.code == 0
    cp = json.loads(s3.get_object(Bucket=bucket, Key="checkpoints/a.json")["Body"].read())
    assert (cp["done"], cp["total"], cp["complete"], cp["tileSize"]) == (3, 3, True, 256)
    assert s3.get_object(Bucket=bucket, Key="out/a/tiles/2.png")["Body"].read() == b"c"
