"""The processor end to end against moto: pyramid, metadata, thumbnail, associated images, the
contract's exit codes, and SIGTERM then resume with byte-identical tiles."""

from __future__ import annotations

import io
import json
import signal
from pathlib import Path
from typing import Any

import openslide
import pytest
from helpers import checkpoint, events, outputs, run, start, wait_for_done
from openslide.deepzoom import DeepZoomGenerator
from PIL import Image


def expected_tiles(path: Path) -> set[str]:
    with openslide.OpenSlide(path) as slide:
        dz = DeepZoomGenerator(slide, tile_size=254, overlap=1, limit_bounds=False)
        return {
            f"slide_files/{level}/{col}_{row}.jpeg"
            for level in range(dz.level_count)
            for col in range(dz.level_tiles[level][0])
            for row in range(dz.level_tiles[level][1])
        }


@pytest.mark.parametrize("kind", ["svs_jpeg", "svs_j2k"])
def test_svs_to_deepzoom(
    kind: str, request: pytest.FixtureRequest, s3: Any, bucket: str, task_env: dict[str, str]
) -> None:
    path: Path = request.getfixturevalue(kind)
    s3.upload_file(str(path), bucket, "slides/a.svs")
    code, out, err = run(task_env, CHUNK_TILES="16")
    assert code == 0, err

    found = outputs(s3, bucket)
    tiles = {k for k in found if k.startswith("slide_files/")}
    assert tiles == expected_tiles(path)
    assert len(tiles) == 99  # 2048x1536, 254 + 1: levels 0..11
    dzi = found["slide.dzi"].decode()
    assert 'Format="jpeg" Overlap="1" TileSize="254"' in dzi
    assert '<Size Width="2048" Height="1536"/>' in dzi
    top = Image.open(io.BytesIO(found["slide_files/11/0_0.jpeg"]))
    assert top.size == (255, 255)
    assert Image.open(io.BytesIO(found["slide_files/0/0_0.jpeg"])).size == (1, 1)

    meta = json.loads(found["metadata.json"])
    assert meta["vendor"] == "aperio"
    assert (meta["width"], meta["height"]) == (2048, 1536)
    assert meta["levelCount"] == 3
    assert meta["levels"][1] == {"width": 512, "height": 384, "downsample": 4.0}
    assert meta["mppX"] == meta["mppY"] == 0.25
    assert meta["objectivePower"] == 40
    assert meta["properties"]["openslide.vendor"] == "aperio"
    assert all(k.startswith("openslide.") for k in meta["properties"])
    assert meta["associatedImages"] == ["label", "macro", "thumbnail"]
    assert meta["deepZoom"]["tiles"] == 99

    thumb = Image.open(io.BytesIO(found["thumbnail.jpg"]))
    assert max(thumb.size) <= 1024
    # The label and macro can show a patient's name: not exported unless asked.
    assert not any(k.startswith("associated/") for k in found)
    assert meta["exportedAssociatedImages"] == []

    cp = checkpoint(s3, bucket)
    assert cp is not None
    assert cp["complete"] is True
    assert cp["done"] == cp["total"] == 99
    assert len(events(out, "chunk")) == 7  # ceil(99 / 16)


def test_associated_images_when_asked(
    svs_jpeg: Path, s3: Any, bucket: str, task_env: dict[str, str]
) -> None:
    s3.upload_file(str(svs_jpeg), bucket, "slides/a.svs")
    code, _, err = run(task_env, EXPORT_ASSOCIATED_IMAGES="label,macro", CHUNK_TILES="100")
    assert code == 0, err
    found = outputs(s3, bucket)
    assert Image.open(io.BytesIO(found["associated/label.jpg"])).size == (384, 256)
    assert "associated/macro.jpg" in found
    assert "associated/thumbnail.jpg" not in found
    assert json.loads(found["metadata.json"])["exportedAssociatedImages"] == ["label", "macro"]


def test_garbage_exits_65(s3: Any, bucket: str, task_env: dict[str, str]) -> None:
    s3.put_object(Bucket=bucket, Key="slides/a.svs", Body=b"not a slide at all" * 100)
    code, _, err = run(task_env)
    assert code == 65
    assert "OpenSlide" in err or "openslide" in err.lower()
    assert not outputs(s3, bucket)


def test_missing_slide_exits_2(s3: Any, bucket: str, task_env: dict[str, str]) -> None:
    code, _, err = run(task_env)
    assert code == 2, err
    assert "does not exist" in err


def test_bad_setting_exits_64(s3: Any, bucket: str, task_env: dict[str, str]) -> None:
    code, _, err = run(task_env, TILE_SIZE="huge")
    assert code == 64
    assert "TILE_SIZE" in err


def test_sigterm_then_resume_byte_identical(
    svs_jpeg: Path, s3: Any, bucket: str, task_env: dict[str, str], aws_env: dict[str, str]
) -> None:
    s3.upload_file(str(svs_jpeg), bucket, "slides/a.svs")
    # The reference: an uninterrupted run, into another prefix.
    ref_env = {
        **task_env,
        "CHECKPOINT_URI": f"s3://{bucket}/checkpoints/ref.json",
        "OUTPUT_URI": f"s3://{bucket}/ref/",
    }
    code, _, err = run(ref_env, CHUNK_TILES="8")
    assert code == 0, err
    reference = outputs(s3, bucket, "ref/")

    # SIGTERM once the checkpoint shows two chunks uploaded (slowed down: ~50 tiles/s).
    proc = start(task_env, CHUNK_TILES="8", TILE_DELAY_MS="20")
    wait_for_done(s3, bucket, 16)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 143, err
    cp = checkpoint(s3, bucket)
    assert cp is not None
    first = {k for k in outputs(s3, bucket) if k.startswith("slide_files/")}
    assert cp["done"] == len(first), "done counts exactly the uploaded tiles"
    assert 16 <= cp["done"] < 99
    assert "complete" not in cp
    assert "slide.dzi" not in outputs(s3, bucket)

    code, out, err = run(task_env, CHUNK_TILES="8")
    assert code == 0, err
    started = events(out, "started")[0]
    assert started["resumedFrom"] == cp["done"]  # nothing redone after a SIGTERM
    final = outputs(s3, bucket)
    for key, body in reference.items():
        if key.startswith("slide_files/") or key == "slide.dzi":
            assert final[key] == body, key
    assert {k for k in final if k.startswith("slide_files/")} == {
        k for k in reference if k.startswith("slide_files/")
    }


def test_sigkill_redoes_at_most_one_chunk(
    svs_jpeg: Path, s3: Any, bucket: str, task_env: dict[str, str]
) -> None:
    s3.upload_file(str(svs_jpeg), bucket, "slides/a.svs")
    proc = start(task_env, CHUNK_TILES="8", TILE_DELAY_MS="20")
    wait_for_done(s3, bucket, 16)
    proc.kill()
    proc.communicate(timeout=20)
    cp = checkpoint(s3, bucket)
    assert cp is not None
    assert not cp.get("complete")
    uploaded = len({k for k in outputs(s3, bucket) if k.startswith("slide_files/")})
    assert cp["done"] % 8 == 0  # only chunk ends write the checkpoint
    assert uploaded - cp["done"] < 8 + 1, "at most one chunk beyond the checkpoint"
    code, out, err = run(task_env, CHUNK_TILES="8")
    assert code == 0, err
    assert events(out, "started")[0]["resumedFrom"] == cp["done"]


def test_folder_key_fetches_every_object(
    svs_jpeg: Path, s3: Any, bucket: str, task_env: dict[str, str]
) -> None:
    # A key ending in "/" is a folder (as DICOM WSI comes): everything under it is fetched.
    s3.upload_file(str(svs_jpeg), bucket, "slides/case-1/a.svs")
    code, _, err = run({**task_env, "SLIDE_KEY": "slides/case-1/"}, CHUNK_TILES="100")
    assert code == 0, err
    meta = json.loads(outputs(s3, bucket)["metadata.json"])
    assert meta["vendor"] == "aperio"


def test_empty_folder_exits_2(s3: Any, bucket: str, task_env: dict[str, str]) -> None:
    code, _, err = run({**task_env, "SLIDE_KEY": "slides/nothing/"})
    assert code == 2, err
