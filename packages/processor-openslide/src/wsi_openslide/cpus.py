"""How many CPUs this process may use: its CPU affinity, capped by its cgroup's CPU quota (a
container's CPU limit), at least 1. PROCESSES' default."""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_SELF_CGROUP = Path("/proc/self/cgroup")


def available_cpus(
    cgroup_root: Path = CGROUP_ROOT, proc_self_cgroup: Path = PROC_SELF_CGROUP
) -> int:
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        count = os.cpu_count() or 1
    quota = cgroup_cpu_quota(cgroup_root, proc_self_cgroup)
    if quota is not None:
        # 1.5 CPUs' quota: two processes use all of it (each gets 0.75 of a CPU).
        count = min(count, math.ceil(quota))
    return max(1, count)


def cgroup_cpu_quota(
    cgroup_root: Path = CGROUP_ROOT, proc_self_cgroup: Path = PROC_SELF_CGROUP
) -> float | None:
    """The CPUs' worth of time the cgroup may use (quota / period), the smallest along the path
    from this process's cgroup up to the root; None when no quota is set or none can be read.
    cgroup v2 (cpu.max: "max 100000" or "150000 100000") or v1 (cpu.cfs_quota_us, -1 for none,
    and cpu.cfs_period_us)."""
    try:
        lines = proc_self_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    v2_path, v1_path = "/", "/"
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[0] == "0" and parts[1] == "":
            v2_path = parts[2]
        elif "cpu" in parts[1].split(","):
            v1_path = parts[2]
    quotas: list[float] = []
    for folder in _up_to_root(cgroup_root, v2_path):
        quota = _v2_quota(folder / "cpu.max")
        if quota is not None:
            quotas.append(quota)
    for name in ("cpu", "cpu,cpuacct"):
        for folder in _up_to_root(cgroup_root / name, v1_path):
            quota = _v1_quota(folder)
            if quota is not None:
                quotas.append(quota)
    return min(quotas) if quotas else None


def _up_to_root(root: Path, cgroup_path: str) -> list[Path]:
    """The cgroup's folder and its parents up to `root`; just `root` when the cgroup's own
    folder is not visible (a container without its own cgroup namespace)."""
    folder = root / cgroup_path.strip("/")
    if not folder.is_dir() or ".." in Path(cgroup_path).parts:
        return [root]
    folders = [folder]
    while folder != root:
        folder = folder.parent
        folders.append(folder)
    return folders


def _v2_quota(file: Path) -> float | None:
    try:
        quota, period = file.read_text().split()[:2]
        if quota == "max":
            return None
        return int(quota) / int(period)
    except (OSError, ValueError, ZeroDivisionError):
        return None


def _v1_quota(folder: Path) -> float | None:
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
        return None if quota <= 0 or period <= 0 else quota / period
    except (OSError, ValueError):
        return None
