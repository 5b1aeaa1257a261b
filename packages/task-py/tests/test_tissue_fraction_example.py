"""docs/python-tasks.md's example, packages/task-py/examples/tissue_fraction.py: the doc shows
the file verbatim, and the program runs as a slide task against moto on a generated Aperio SVS
(dev/slides/make_test_slides.py): its rows, its summary, a resume, and a bad slide."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "packages" / "task-py" / "examples" / "tissue_fraction.py"
DOC = ROOT / "docs" / "python-tasks.md"


def test_the_doc_shows_the_example_file_verbatim() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), re.DOTALL)
    assert len(blocks) == 1, "docs/python-tasks.md has one python block: the example"
    assert blocks[0] == EXAMPLE.read_text("utf-8"), (
        "docs/python-tasks.md's python block differs from "
        "packages/task-py/examples/tissue_fraction.py: copy the file into the doc"
    )


@pytest.fixture(scope="session")
def svs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "dev" / "slides"))
    try:
        from make_test_slides import make_svs
    finally:
        sys.path.pop(0)
    return make_svs(tmp_path_factory.mktemp("slides") / "qc.svs", width=1024, height=768)


def run_example(env: dict[str, str]) -> tuple[int, str, str]:
    res = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        env={**os.environ, **env, "PYTHONPATH": os.pathsep.join(sys.path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return res.returncode, res.stdout, res.stderr


def rows(s3: Any, bucket: str) -> dict[str, Any]:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="out/a/rows/").get("Contents", [])
    return {
        o["Key"].rsplit("/", 1)[1]: json.loads(
            s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        )
        for o in listed
    }


def test_the_example_runs_as_a_slide_task(
    svs: Path, s3: Any, bucket: str, task_env: dict[str, str]
) -> None:
    s3.upload_file(str(svs), bucket, "slides/a.svs")
    code, out, err = run_example(task_env)
    assert code == 0, err
    found = rows(s3, bucket)
    assert sorted(found) == [f"{r:02d}.json" for r in range(16)]
    for name, body in found.items():
        assert body["row"] == int(name[:2])
        assert len(body["tissue"]) == 16
        assert all(0 <= f <= 1 for f in body["tissue"])
    # The synthetic slide is all "tissue" (no bright glass): every cell is dark enough.
    assert found["00.json"]["tissue"] == [1.0] * 16
    summary = json.loads(s3.get_object(Bucket=bucket, Key="out/a/summary.json")["Body"].read())
    assert summary == {"grid": 16, "thumbnail": [1024, 768]}
    cp = json.loads(s3.get_object(Bucket=bucket, Key="checkpoints/a.json")["Body"].read())
    assert (cp["done"], cp["total"], cp["complete"]) == (16, 16, True)
    assert (cp["grid"], cp["background"]) == (16, 220)
    assert [json.loads(line)["event"] for line in out.splitlines()] == ["started", "complete"]


def test_the_example_resumes_from_its_checkpoint(
    svs: Path, s3: Any, bucket: str, task_env: dict[str, str]
) -> None:
    s3.upload_file(str(svs), bucket, "slides/a.svs")
    # As a task stopped after six rows left it.
    done = {"version": 1, "done": 6, "total": 16, "grid": 16, "background": 220}
    s3.put_object(Bucket=bucket, Key="checkpoints/a.json", Body=json.dumps(done).encode())
    code, out, err = run_example(task_env)
    assert code == 0, err
    assert json.loads(out.splitlines()[0])["resumedFrom"] == 6
    assert sorted(rows(s3, bucket)) == [f"{r:02d}.json" for r in range(6, 16)]


def test_a_file_openslide_cannot_read_exits_65(
    s3: Any, bucket: str, task_env: dict[str, str]
) -> None:
    s3.put_object(Bucket=bucket, Key="slides/a.svs", Body=b"not a slide" * 100)
    code, _, err = run_example(task_env)
    assert code == 65, err
    assert "not a slide" in err


def test_a_missing_slide_exits_2(task_env: dict[str, str]) -> None:
    code, _, err = run_example(task_env)
    assert code == 2, err
