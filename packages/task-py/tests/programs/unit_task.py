"""A slide task for the subprocess tests: uploads UNITS small units, UNIT_DELAY seconds each.
With STUCK=1 it never reaches a stop check after the third unit, like work inside a long call."""

import os
import sys
import time

from wsi_task import TaskContext, run_task

UNITS = int(os.environ.get("UNITS", "100"))
DELAY = float(os.environ.get("UNIT_DELAY", "0.02"))


def work(task: TaskContext) -> None:
    task.start(total=UNITS)
    for i in task.remaining():
        if os.environ.get("STUCK") == "1" and i >= 3:
            print("stuck", flush=True)  # past its last stop check: the test signals now
            time.sleep(3600)
        time.sleep(DELAY)
        task.upload(f"units/{i:05d}.txt", f"unit {i}\n")
        task.uploaded(i)
    task.upload("units.json", f'{{"units": {UNITS}}}', "application/json")


if __name__ == "__main__":
    sys.exit(run_task(work, checkpoint_seconds=0))
