"""dev/slides/check_output.py against the processor's real output: each generated kind of slide
is processed (against moto, as the other tests do), downloaded and checked; then the checker
must name what was broken in a copy."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import outputs, run, run_dev_script
from PIL import Image
from wsi_task.testing import aws_environment, s3_client

KINDS = ["svs-jpeg", "svs-j2k", "tiff", "dicom"]


def check(slide: str, output: Path) -> tuple[int, str, str]:
    res = run_dev_script("check_output.py", "--slide", slide, "--output", str(output))
    return res.returncode, res.stdout, res.stderr


@pytest.fixture(scope="module", params=KINDS)
def processed(
    request: pytest.FixtureRequest,
    moto_endpoint: str,
    test_slides: dict[str, dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Path]]:
    """(slide path, local copy of the output) after the processor ran on one kind of slide."""
    kind: str = request.param
    slide = test_slides[kind]
    aws = aws_environment(moto_endpoint)
    s3 = s3_client(aws)
    bucket = f"check-output-{kind}"
    s3.create_bucket(Bucket=bucket)
    path = Path(slide["path"])
    if slide["folder"]:
        key = "slides/case/"
        for file in sorted(path.iterdir()):
            s3.upload_file(str(file), bucket, key + file.name)
    else:
        key = f"slides/{path.name}"
        s3.upload_file(str(path), bucket, key)
    env = {
        **aws,
        "SLIDE_BUCKET": bucket,
        "SLIDE_KEY": key,
        "SLIDE_ID": kind,
        "CHECKPOINT_URI": f"s3://{bucket}/checkpoints/a.json",
        "OUTPUT_URI": f"s3://{bucket}/out/a/",
    }
    code, _, err = run(env, CHUNK_TILES="50")
    assert code == 0, err
    local = tmp_path_factory.mktemp(f"output-{kind}")
    for rel, body in outputs(s3, bucket).items():
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_bytes(body)
    yield slide["path"], local


def test_checker_passes_on_the_processor_output(processed: tuple[str, Path]) -> None:
    slide, output = processed
    code, out, err = check(slide, output)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["ok"] is True
    assert summary["tiles"] == 99
    assert summary["deepZoomLevels"] == 12
    assert summary["sampled"] >= 2 * 12  # each level's first and last (+ random, + thumbnail)
    assert summary["maxMeanAbsDiff"] <= summary["tolerance"]


def _copy(processed: tuple[str, Path], tmp_path: Path) -> tuple[str, Path]:
    slide, output = processed
    copy = tmp_path / "output"
    shutil.copytree(output, copy)
    return slide, copy


@pytest.mark.parametrize("processed", ["svs-jpeg"], indirect=True)
def test_checker_names_a_deleted_tile(processed: tuple[str, Path], tmp_path: Path) -> None:
    slide, output = _copy(processed, tmp_path)
    (output / "slide_files" / "10" / "1_0.jpeg").unlink()
    code, out, err = check(slide, output)
    assert code == 1
    assert json.loads(out) == {"ok": False, "differences": 1}
    assert "level 10: 1 of 20 missing: slide_files/10/1_0.jpeg" in err


@pytest.mark.parametrize("processed", ["svs-jpeg"], indirect=True)
def test_checker_names_every_difference(processed: tuple[str, Path], tmp_path: Path) -> None:
    slide, output = _copy(processed, tmp_path)
    tiles = output / "slide_files"
    # An extra tile, a tile with the wrong pixels (mirrored), a wrong .dzi, wrong MPP.
    shutil.copy(tiles / "11" / "0_0.jpeg", tiles / "11" / "9_9.jpeg")
    first = Image.open(tiles / "11" / "0_0.jpeg")
    first.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(tiles / "11" / "0_0.jpeg", quality=90)
    dzi = output / "slide.dzi"
    dzi.write_text(dzi.read_text().replace('Overlap="1"', 'Overlap="2"'))
    meta = json.loads((output / "metadata.json").read_text())
    meta["mppX"] = 0.5
    (output / "metadata.json").write_text(json.dumps(meta))
    code, out, err = check(slide, output)
    assert code == 1
    assert json.loads(out)["differences"] == 4, err
    assert "level 11: 1 extra: slide_files/11/9_9.jpeg" in err
    assert "slide_files/11/0_0.jpeg: pixels differ by" in err
    assert "slide.dzi: Overlap is '2', DeepZoomGenerator's is '1'" in err
    assert "metadata.json: mppX is 0.5, OpenSlide's is 0.25" in err


def test_checker_exits_2_on_an_unreadable_slide(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.svs"
    garbage.write_bytes(b"not a slide" * 100)
    code, _, err = check(str(garbage), tmp_path)
    assert code == 2
    assert "cannot open the slide" in err
