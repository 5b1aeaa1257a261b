"""PROCESSES' default on ECS: capped by the task's CPU limit (`Limits.CPU`, in vCPUs) from the
task metadata endpoint v4, here a local HTTP server serving a task document of that shape. Any
failure falls back to the affinity and cgroup alone."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from wsi_openslide.cpus import ECS_METADATA_VARIABLE, available_cpus, ecs_task_cpu_limit
from wsi_openslide.settings import read_settings


def task_document(task_cpu: object = None, memory: int = 2048) -> dict[str, object]:
    """A task document shaped like `${ECS_CONTAINER_METADATA_URI_V4}/task`'s: the task's own
    `Limits` (CPU in vCPUs) and each container's (CPU in CPU units, which must not be read)."""
    document: dict[str, object] = {
        "Cluster": "arn:aws:ecs:eu-west-1:000000000000:cluster/slides",
        "TaskARN": "arn:aws:ecs:eu-west-1:000000000000:task/slides/0123456789abcdef",
        "Family": "wsi-openslide",
        "Revision": "3",
        "DesiredStatus": "RUNNING",
        "KnownStatus": "RUNNING",
        "LaunchType": "FARGATE",
        "Containers": [
            {
                "Name": "processor",
                "DockerId": "0123456789abcdef-1111111111",
                "Limits": {"CPU": 2, "Memory": memory},
                "Type": "NORMAL",
            }
        ],
    }
    if task_cpu is not None:
        document["Limits"] = {"CPU": task_cpu, "Memory": memory}
    return document


# Path prefix (one per "task") -> the body its /task serves.
BODIES: dict[str, bytes] = {
    "one": json.dumps(task_document(1.0)).encode(),
    "quarter": json.dumps(task_document(0.25)).encode(),
    "four": json.dumps(task_document(4)).encode(),
    "one-and-a-half": json.dumps(task_document(1.5)).encode(),
    "no-limits": json.dumps(task_document()).encode(),
    "cpu-as-text": json.dumps(task_document("1024")).encode(),
    "zero": json.dumps(task_document(0)).encode(),
    "malformed": b'{"Limits": {"CPU": 1.0',
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        prefix, _, rest = self.path.strip("/").partition("/")
        body = BODIES.get(prefix) if rest == "task" else None
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def metadata_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def no_cgroup(tmp_path: Path) -> tuple[Path, Path]:
    """A cgroup root and /proc/self/cgroup that do not exist: no quota, so only the affinity
    and the ECS limit count."""
    return tmp_path / "no-cgroup", tmp_path / "no-proc-self-cgroup"


@pytest.fixture
def two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)


def cpus(no_cgroup: tuple[Path, Path], uri: str) -> int:
    return available_cpus(*no_cgroup, environ={ECS_METADATA_VARIABLE: uri})


@pytest.mark.parametrize(
    ("task", "expected"), [("one", 1), ("quarter", 1), ("four", 2), ("one-and-a-half", 2)]
)
def test_the_task_cpu_limit_caps_the_default(
    metadata_server: str, no_cgroup: tuple[Path, Path], two_cpus: None, task: str, expected: int
) -> None:
    # 1 vCPU and a quarter: 1 process. 4 vCPUs on a 2-CPU affinity: the affinity still caps.
    assert cpus(no_cgroup, f"{metadata_server}/{task}") == expected


def test_limit_is_read_from_the_task_level_in_vcpus(metadata_server: str) -> None:
    env = {ECS_METADATA_VARIABLE: f"{metadata_server}/quarter/"}  # a trailing slash too
    assert ecs_task_cpu_limit(env) == 0.25
    assert ecs_task_cpu_limit({ECS_METADATA_VARIABLE: f"{metadata_server}/four"}) == 4.0


def test_the_smallest_of_cgroup_quota_and_task_limit_wins(
    metadata_server: str, tmp_path: Path, two_cpus: None
) -> None:
    root = tmp_path / "cgroup"
    root.mkdir()
    (root / "cpu.max").write_text("100000 100000\n")  # 1 CPU
    proc = tmp_path / "proc-self-cgroup"
    proc.write_text("0::/\n")
    assert available_cpus(root, proc, {ECS_METADATA_VARIABLE: f"{metadata_server}/four"}) == 1
    (root / "cpu.max").write_text("max 100000\n")
    assert available_cpus(root, proc, {ECS_METADATA_VARIABLE: f"{metadata_server}/one"}) == 1


@pytest.mark.parametrize("task", ["malformed", "no-limits", "cpu-as-text", "zero", "not-a-task"])
def test_a_bad_document_falls_back(
    metadata_server: str, no_cgroup: tuple[Path, Path], two_cpus: None, task: str
) -> None:
    # Malformed JSON, no task-level Limits (the container's CPU units are not read), a CPU that
    # is not a positive number, a 404: the affinity alone.
    assert ecs_task_cpu_limit({ECS_METADATA_VARIABLE: f"{metadata_server}/{task}"}) is None
    assert cpus(no_cgroup, f"{metadata_server}/{task}") == 2


def test_an_unreachable_endpoint_falls_back_at_once(
    no_cgroup: tuple[Path, Path], two_cpus: None
) -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    assert cpus(no_cgroup, f"http://127.0.0.1:{port}/v4/abc") == 2
    assert time.monotonic() - started < 1


def test_a_silent_endpoint_falls_back_after_the_timeout() -> None:
    with socket.socket() as sock:  # accepts connections (the backlog) but never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        env = {ECS_METADATA_VARIABLE: f"http://127.0.0.1:{sock.getsockname()[1]}/v4/abc"}
        started = time.monotonic()
        assert ecs_task_cpu_limit(env, timeout=0.2) is None
        assert time.monotonic() - started < 1


@pytest.mark.parametrize("value", ["", "  ", "file:///etc/hostname", "169.254.170.2/v4/abc"])
def test_no_or_a_non_http_variable_is_ignored(value: str) -> None:
    assert ecs_task_cpu_limit({ECS_METADATA_VARIABLE: value}) is None
    assert ecs_task_cpu_limit({}) is None


def test_an_explicit_processes_still_wins(metadata_server: str) -> None:
    env = {ECS_METADATA_VARIABLE: f"{metadata_server}/quarter"}
    assert read_settings(env).processes == 1
    assert read_settings({**env, "PROCESSES": "2"}).processes == 2


def test_an_http_proxy_is_not_used(metadata_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The endpoint is link-local: a task's HTTP_PROXY must not send the request elsewhere.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert ecs_task_cpu_limit({ECS_METADATA_VARIABLE: f"{metadata_server}/one"}) == 1.0
