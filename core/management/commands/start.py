"""``manage.py start``: the whole platform on one machine (web server and a grading worker).

Starts the embedded Redis when no CELERY_BROKER_URL is set, a Celery worker on the cpu and gpu
queues, and the web server; prints the URL; stops everything on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from core import embedded_redis


class Command(BaseCommand):
    help = "Run Stride on this machine: web server, a Celery worker and (by default) Redis."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("STRIDE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("STRIDE_PORT", "8000")))
        parser.add_argument("--no-worker", action="store_true", help="web server only")

    def handle(self, *args: Any, **options: Any) -> None:
        processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        var_dir = settings.VAR_DIR
        if settings.USES_EMBEDDED_REDIS:
            server = embedded_redis.start(settings.EMBEDDED_REDIS_SOCKET, var_dir / "redis.log")
            if server is not None:
                processes.append(("redis", server))
            self.stdout.write(f"Redis (embedded): {settings.EMBEDDED_REDIS_SOCKET}")
        else:
            self.stdout.write(f"Redis: {settings.CELERY_BROKER_URL}")
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "config.settings.local"
            ),
        }
        if not options["no_worker"]:
            worker_log = (var_dir / "worker.log").open("ab")
            worker = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-Q",
                    "cpu",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    "cpu@%h",
                ],
                env=environment,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )
            processes.append(("worker", worker))
            self.stdout.write(f"Celery worker (queue cpu): log in {var_dir / 'worker.log'}")
        address = f"{options['host']}:{options['port']}"
        web = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", address],
            env=environment,
            cwd=settings.BASE_DIR,
        )
        processes.append(("web", web))
        self.stdout.write(self.style.SUCCESS(f"\nStride is running: http://{address}/\n"))
        self.stdout.write("Press Ctrl-C to stop.")
        self._wait(processes)

    def _wait(self, processes: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
        stop = False

        def request_stop(signum: int, frame: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, request_stop)
        try:
            while not stop:
                for name, process in processes:
                    if process.poll() is not None:
                        self.stderr.write(f"{name} exited with status {process.returncode}")
                        stop = True
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        for _name, process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for _name, process in reversed(processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.stdout.write("Stride stopped.")
