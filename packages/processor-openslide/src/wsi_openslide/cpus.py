"""How many CPUs this process may use: its CPU affinity, capped by its cgroup's CPU quota (a
container's CPU limit) and, on ECS, by the task's CPU limit from the task metadata endpoint,
at least 1. PROCESSES' default."""

from __future__ import annotations

import json
import logging
import math
import os
import urllib.request
from collections.abc import Mapping
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_SELF_CGROUP = Path("/proc/self/cgroup")
# Set by ECS in every container of a task (Fargate platform 1.4.0+, EC2 agent 1.39.0+).
ECS_METADATA_VARIABLE = "ECS_CONTAINER_METADATA_URI_V4"
ECS_METADATA_TIMEOUT_S = 1.0

log = logging.getLogger(__name__)


def available_cpus(
    cgroup_root: Path = CGROUP_ROOT,
    proc_self_cgroup: Path = PROC_SELF_CGROUP,
    environ: Mapping[str, str] | None = None,
) -> int:
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        count = os.cpu_count() or 1
    # 1.5 CPUs' quota: two processes use all of it (each gets 0.75 of a CPU). The smallest
    # limit wins: ECS may set the task's limit on a parent cgroup the container does not see.
    for limit in (cgroup_cpu_quota(cgroup_root, proc_self_cgroup), ecs_task_cpu_limit(environ)):
        if limit is not None:
            count = min(count, math.ceil(limit))
    return max(1, count)


def ecs_task_cpu_limit(
    environ: Mapping[str, str] | None = None, timeout: float = ECS_METADATA_TIMEOUT_S
) -> float | None:
    """The ECS task's CPU limit in vCPUs: `Limits.CPU` of the task metadata endpoint v4's task
    document (`${ECS_CONTAINER_METADATA_URI_V4}/task`; the task-level field is in vCPUs, e.g.
    0.25, unlike each container's `Limits.CPU` in CPU units). None outside ECS, when the task has
    no CPU limit, or on any failure: the caller then goes by the affinity and cgroup alone."""
    env = os.environ if environ is None else environ
    base = env.get(ECS_METADATA_VARIABLE, "").strip().rstrip("/")
    if not base:
        return None
    if not base.startswith(("http://", "https://")):
        log.debug("%s is not an http URL: ignored", ECS_METADATA_VARIABLE)
        return None
    # The endpoint is link-local: never through an HTTP(S)_PROXY the task may have set.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(base + "/task", timeout=timeout) as response:
            document = json.loads(response.read(1 << 20))
        limit = document["Limits"]["CPU"]
    except Exception as error:  # unreachable, an HTTP error, not JSON, no such field, ...
        log.debug("no ECS task CPU limit from the task metadata endpoint: %r", error)
        return None
    if isinstance(limit, bool) or not isinstance(limit, (int, float)):
        log.debug("ECS task metadata: Limits.CPU is not a number: %r", limit)
        return None
    if not math.isfinite(limit) or limit <= 0:
        log.debug("ECS task metadata: Limits.CPU is not a positive number: %r", limit)
        return None
    return float(limit)


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
