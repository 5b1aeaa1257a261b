"""Errors that carry the contract's exit code, so run_task maps failures to it in one place."""

from __future__ import annotations

from .contract import ExitCode


class TaskError(Exception):
    """A failure with a known exit code; plain exceptions exit 1 (retried)."""

    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class BadEnvironment(TaskError):
    """A missing or malformed environment variable (64): relaunching would not help."""

    exit_code = ExitCode.BAD_ENVIRONMENT


class SlideNotFound(TaskError):
    """The slide object does not exist (2)."""

    exit_code = ExitCode.SLIDE_NOT_FOUND


class BadSlide(TaskError):
    """The slide exists but cannot be read as an image (65)."""

    exit_code = ExitCode.BAD_SLIDE


class StopRequested(Exception):
    """Raised at a stop check once SIGTERM (or SIGINT) has arrived."""
