"""Make sure the real PostgreSQL and Redis the tests use are up; start them if they are down.

Stdlib only, so it runs before the virtualenv exists. Exits 1 with a clear message if a service
cannot be reached or started.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import time

POSTGRES = ("127.0.0.1", int(os.environ.get("STRIDE_TEST_PG_PORT", "5432")))
REDIS = ("127.0.0.1", int(os.environ.get("STRIDE_TEST_REDIS_PORT", "6379")))


def is_listening(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def _run(command: list[str]) -> str:
    try:
        completed = subprocess.run(  # noqa: S603 - fixed commands of this file
            command, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    return (completed.stdout + completed.stderr).strip()


def start_postgres() -> str:
    clusters = sorted(glob.glob("/etc/postgresql/*/main"))
    if shutil.which("pg_ctlcluster") and clusters:
        version = clusters[-1].split("/")[3]
        return _run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
    return "no PostgreSQL cluster found (expected pg_ctlcluster and /etc/postgresql/*/main)"


def start_redis() -> str:
    if not shutil.which("redis-server"):
        return "redis-server is not installed"
    os.makedirs("/var/lib/redis", exist_ok=True)
    os.makedirs("/var/log/redis", exist_ok=True)
    return _run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            str(REDIS[1]),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log",
        ]
    )


def ensure(name: str, address: tuple[str, int], start: object) -> bool:
    if is_listening(address):
        print(f"ensure_services: {name} is up on {address[0]}:{address[1]}")
        return True
    print(f"ensure_services: {name} is down on {address[0]}:{address[1]}; starting it...")
    output = start()  # type: ignore[operator]
    for _ in range(40):
        if is_listening(address):
            print(f"ensure_services: {name} started")
            return True
        time.sleep(0.25)
    print(
        f"ensure_services: ERROR: could not start {name} on {address[0]}:{address[1]}.\n"
        f"  What the start command said: {output or '(nothing)'}\n"
        f"  The tests need a real {name}; start it by hand and run the test command again.",
        file=sys.stderr,
    )
    return False


def main() -> int:
    ok = ensure("PostgreSQL", POSTGRES, start_postgres)
    ok = ensure("Redis", REDIS, start_redis) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
