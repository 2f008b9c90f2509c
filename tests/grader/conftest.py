"""A real Celery worker process for integration tests, on the real Redis and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def worker_environment(**overrides: str) -> dict[str, str]:
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TEST_DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "TEST_CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    environment.update(overrides)
    return environment


class WorkerProcess:
    """``celery -A config worker`` as a child process, with its log kept for failures."""

    def __init__(self, name: str, queues: str, log_path: Path, **environment: str) -> None:
        self.name = f"{name}@stride-tests"
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                queues,
                "--concurrency",
                "2",
                "--hostname",
                self.name,
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=worker_environment(**environment),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early; log:\n{self.log()}")
            replies = celery_app.control.ping(destination=[self.name], timeout=0.5)
            if replies:
                return
        raise RuntimeError(f"worker not ready after {timeout}s; log:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the worker and its pool children (its whole session), like a machine failing."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def purge_broker() -> None:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


# The `celery_worker` fixture lives in tests/conftest.py: the end-to-end tests share the one worker.
