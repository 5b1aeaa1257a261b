"""Make any Python program a wsi-orchestrator slide task: see README.md."""

from .checkpoint import Checkpoint, CheckpointStore
from .contract import CHECKPOINT_VERSION, ENV, PERMANENT_EXIT_CODES, ExitCode
from .environment import TaskEnvironment, read_task_environment
from .errors import BadEnvironment, BadSlide, SlideNotFound, StopRequested, TaskError
from .progress import Progress
from .s3 import create_s3_client
from .s3uri import S3Location, parse_s3_uri
from .stop import StopSignal
from .task import TaskContext, run_task

__all__ = [
    "CHECKPOINT_VERSION",
    "ENV",
    "PERMANENT_EXIT_CODES",
    "BadEnvironment",
    "BadSlide",
    "Checkpoint",
    "CheckpointStore",
    "ExitCode",
    "Progress",
    "S3Location",
    "SlideNotFound",
    "StopRequested",
    "StopSignal",
    "TaskContext",
    "TaskEnvironment",
    "TaskError",
    "create_s3_client",
    "parse_s3_uri",
    "read_task_environment",
    "run_task",
]
