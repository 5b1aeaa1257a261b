"""dev/slides/make_test_slides.py: each kind is made, and OpenSlide opens it as that format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openslide
import pytest
from helpers import run_dev_script

EXPECTED_VENDORS = {
    "svs-jpeg": "aperio",
    "svs-j2k": "aperio",
    "tiff": "generic-tiff",
    "dicom": "dicom",
}


@pytest.mark.parametrize("kind", list(EXPECTED_VENDORS))
def test_each_kind_opens_with_openslide(kind: str, test_slides: dict[str, dict[str, Any]]) -> None:
    entry = test_slides[kind]
    path = Path(entry["path"])
    assert path.is_absolute()
    assert entry["folder"] is (kind == "dicom") is path.is_dir()
    # The manifest is OpenSlide's own read; check it against expectations and a fresh open.
    read = entry["openslide"]
    assert read["vendor"] == EXPECTED_VENDORS[kind]
    assert read["dimensions"] == [2048, 1536]
    assert read["level_count"] == 3
    assert read["level_dimensions"] == [[2048, 1536], [512, 384], [128, 96]]
    assert read["mpp_x"] == read["mpp_y"] == 0.25
    assert read["objective_power"] == (40 if kind.startswith("svs") else None)
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    if kind == "dicom":
        assert len(files) > 3 and all(f.suffix == ".dcm" for f in files)
    # OpenSlide opens a DICOM series by any of its files and finds the others beside it.
    for file in files:
        with openslide.OpenSlide(file) as slide:
            assert slide.properties[openslide.PROPERTY_NAME_VENDOR] == read["vendor"]
            assert list(slide.dimensions) == read["dimensions"]
            assert slide.level_count == 3
            region = slide.read_region((1000, 700), 0, (64, 64)).convert("RGB")
            assert region.getextrema() != ((0, 0), (0, 0), (0, 0))  # pixels, not a blank


def test_svs_has_the_aperio_associated_images(test_slides: dict[str, dict[str, Any]]) -> None:
    with openslide.OpenSlide(test_slides["svs-jpeg"]["path"]) as slide:
        assert sorted(slide.associated_images) == ["label", "macro", "thumbnail"]


def test_cli_kinds_size_and_bad_kind(tmp_path: Path) -> None:
    size = ("--width", "600", "--height", "400")
    res = run_dev_script(
        "make_test_slides.py", "--out", str(tmp_path), "--kinds", "tiff", *size, timeout=60
    )
    assert res.returncode == 0, res.stderr
    (entry,) = json.loads(res.stdout)
    assert entry["kind"] == "tiff"
    assert entry["openslide"]["dimensions"] == [600, 400]
    assert entry["openslide"]["level_count"] == 2  # 600x400 and 150x100; 1/16 is too small

    bad = run_dev_script(
        "make_test_slides.py", "--out", str(tmp_path), "--kinds", "svs,ndpi", timeout=60
    )
    assert bad.returncode == 2
    assert "unknown kind(s) svs, ndpi" in bad.stderr
