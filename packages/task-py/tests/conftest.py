"""The library's own test fixtures (a moto S3 server for the session, a fresh bucket and task
environment per test), the ones it offers any task's tests: wsi_task.testing."""

pytest_plugins = ["wsi_task.testing"]
