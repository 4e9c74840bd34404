"""A job for tests/core/test_worker_process.py: slow enough to kill its worker in the middle."""

import time
from pathlib import Path


def slow_append(started: str, done: str, seconds: float) -> None:
    """Note the start, wait, then note the end: a job killed in between leaves no end line."""
    with Path(started).open("a") as f:
        f.write("started\n")
    time.sleep(seconds)
    with Path(done).open("a") as f:
        f.write("done\n")
