"""Tissue-fraction QC as a slide task: the share of non-background pixels in each cell of a
16x16 grid over the slide's thumbnail, one JSON object per grid row (docs/python-tasks.md)."""

import json
import sys
import tempfile
from pathlib import Path

import openslide

from wsi_task import BadSlide, TaskContext, run_task

GRID, BACKGROUND = 16, 220  # cells a side; grey levels from 220 up are bare glass


def work(task: TaskContext) -> None:
    name = Path(task.env.slide.key).name  # OpenSlide tells some formats by their extension
    path = task.download_slide(Path(tempfile.mkdtemp()) / name)  # a missing slide: exit 2
    try:
        with openslide.OpenSlide(path) as slide:
            thumb = slide.get_thumbnail((1024, 1024)).convert("L")
    except openslide.OpenSlideError as err:
        raise BadSlide(f"not a slide: {err}") from err  # exit 65: not relaunched
    w, h = thumb.size
    task.start(total=GRID, identity={"grid": GRID, "background": BACKGROUND})
    for row in task.remaining():  # skips the rows a checkpoint counts; stops on SIGTERM
        cells = []
        for col in range(GRID):
            box = (col * w // GRID, row * h // GRID, (col + 1) * w // GRID, (row + 1) * h // GRID)
            counts = thumb.crop(box).histogram()
            cells.append(round(sum(counts[:BACKGROUND]) / max(1, sum(counts)), 4))
        task.upload(f"rows/{row:02d}.json", json.dumps({"row": row, "tissue": cells}))
        task.uploaded(row)  # counted in the checkpoint only once uploaded
    task.upload("summary.json", json.dumps({"grid": GRID, "thumbnail": [w, h]}))


if __name__ == "__main__":
    sys.exit(run_task(work))
