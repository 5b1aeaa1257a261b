"""`python -m wsi_openslide` and the `wsi-openslide` console script."""

from __future__ import annotations

import sys

from wsi_task import run_task

from .processor import process_slide


def main() -> None:
    # Checkpoints are written after each chunk (see processor.py), not on a timer.
    sys.exit(run_task(process_slide, checkpoint_seconds=float("inf")))


if __name__ == "__main__":
    main()
