from __future__ import annotations

import pytest

from wsi_task import ENV, BadEnvironment, ExitCode, S3Location, read_task_environment

GOOD = {
    ENV.slide_bucket: "slides",
    ENV.slide_key: "lab/2026/a.svs",
    ENV.checkpoint_uri: "s3://state/checkpoints/a.json",
    ENV.output_uri: "s3://out/a/",
}


def test_reads_a_complete_environment() -> None:
    env = read_task_environment({**GOOD, ENV.slide_id: "a1"})
    assert env.slide == S3Location("slides", "lab/2026/a.svs")
    assert env.slide_id == "a1"
    assert env.checkpoint == S3Location("state", "checkpoints/a.json")
    assert env.output == S3Location("out", "a")
    assert env.stop_grace_seconds == 20.0


def test_slide_id_falls_back_to_the_key_and_grace_is_settable() -> None:
    env = read_task_environment({**GOOD, "STOP_GRACE_MS": "1500"})
    assert env.slide_id == "a.svs"
    assert env.stop_grace_seconds == 1.5


def test_every_problem_is_named_with_exit_64() -> None:
    with pytest.raises(BadEnvironment) as caught:
        read_task_environment({ENV.checkpoint_uri: "s3://state/prefix/", "STOP_GRACE_MS": "x"})
    message = str(caught.value)
    for name in (ENV.slide_bucket, ENV.slide_key, ENV.output_uri, "STOP_GRACE_MS"):
        assert name in message
    assert "must name an object" in message
    assert caught.value.exit_code == ExitCode.BAD_ENVIRONMENT == 64


def test_rejects_bad_bucket_and_uri() -> None:
    with pytest.raises(BadEnvironment, match=f"(?s){ENV.slide_bucket}.*{ENV.output_uri}"):
        read_task_environment({**GOOD, ENV.slide_bucket: "a b", ENV.output_uri: "https://x/"})
