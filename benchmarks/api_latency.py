"""REST API speed: server time of "generate a variant" and "check an answer", and a load run.

Targets (issue 7): p50 at most 15 ms for both, through Django's full middleware and DRF stack
in-process (server time, no network), compared with ``/healthz`` (one ``SELECT 1``) measured in
the same run; and at least 300 requests/s with no errors from gunicorn with 2 workers on a free
loopback port (DEBUG off), loaded by ``wrk`` (scripts/system_packages.sh installs it) with a Lua
script that POSTs variant generation for cycling seeds, or by a bounded asyncio client when wrk
is missing. Both use a scratch database ``stride_bench_api`` on $BENCH_DATABASE_URL's server.
The load run lifts the API throttles (it measures serving capacity, not the rate limit).
Requests are bounded in count and time, and go to 127.0.0.1 only.

    python -m benchmarks.api_latency [--requests 300] [--load-seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stride_bench_api"
)
TARGET_MS = 15.0
TARGET_RPS = 300.0
TEMPLATE = "conv-output-size-medium"
SEEDS = 200
UNTHROTTLED = {"API_THROTTLE_ANON": "100000000/min", "API_THROTTLE_USER": "100000000/min"}

WRK_SCRIPT = """
local seed = 0
request = function()
  seed = (seed + 1) %% %(seeds)d
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/json"},
                    '{"seed": ' .. seed .. '}')
end
"""


def _prepare_environment() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["DEBUG"] = "false"
    os.environ.update(UNTHROTTLED)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import psycopg  # noqa: PLC0415 - before Django, to create the scratch database

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _timed(function: Callable[[], object], count: int) -> list[float]:
    for _ in range(min(20, count)):
        function()
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def _report(name: str, timings: list[float], baseline_p50: float, target: float | None) -> bool:
    timings = sorted(timings)
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    passed = target is None or p50 <= target
    verdict = f"{'PASS' if passed else 'FAIL'} (p50 <= {target:g} ms)" if target else ""
    print(f"{name:<40}{p50:>9.2f}{p95:>9.2f}{p50 / baseline_p50:>11.2f}x  {verdict}")
    return passed


def _latency(count: int) -> bool:
    from django.test import Client  # noqa: PLC0415

    from quizzes.models import Variant  # noqa: PLC0415
    from tests.factories import UserFactory  # noqa: PLC0415

    anonymous = Client()
    student = Client()
    student.force_login(UserFactory(username="bench-student"))
    url = f"/api/v1/templates/{TEMPLATE}/variants/"
    created = anonymous.post(url, {"seed": 1}, content_type="application/json")
    assert created.status_code == 201, created.content
    variant = Variant.objects.get(pk=created.json()["id"])
    key = variant.content["answer"]["display"]
    attempts_url = created.json()["attempts_url"]
    seeds = iter(range(10**9))

    baseline = _timed(lambda: anonymous.get("/healthz"), count)
    baseline_p50 = statistics.median(baseline)
    print(f"{'in-process (server time)':<40}{'p50 ms':>9}{'p95 ms':>9}{'vs base':>12}")
    _report("GET /healthz (baseline)", baseline, baseline_p50, None)

    def generate(seed: int | None = None) -> None:
        body = {"seed": seed if seed is not None else next(seeds) % SEEDS}
        response = anonymous.post(url, body, content_type="application/json")
        assert response.status_code == 201, response.content

    def check(answer: str) -> None:
        response = student.post(attempts_url, {"answer": answer}, content_type="application/json")
        assert response.status_code == 201, response.content

    fresh = iter(range(10_000, 10**9))
    return all(
        [
            _report("POST variant (seen seed)", _timed(generate, count), baseline_p50, TARGET_MS),
            _report(
                "POST variant (new seed: generated)",
                _timed(lambda: generate(next(fresh)), count),
                baseline_p50,
                TARGET_MS,
            ),
            _report(
                "POST attempt (correct)",
                _timed(lambda: check(key), count),
                baseline_p50,
                TARGET_MS,
            ),
            _report(
                "POST attempt (wrong)",
                _timed(lambda: check("(1, 2)"), count),
                baseline_p50,
                TARGET_MS,
            ),
        ]
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_up(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited before it served")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if b" 200 " in sock.recv(100):
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")


def _wrk(
    port: int, seconds: int, connections: int, *, quiet: bool = False
) -> tuple[float, int, int]:
    path = f"/api/v1/templates/{TEMPLATE}/variants/"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"seeds": SEEDS, "path": path})
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    if not quiet:
        print(output.rstrip())
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return rate, total, errors


async def _asyncio_load(port: int, seconds: int, connections: int) -> tuple[float, int, int]:
    """Fallback: keep-alive HTTP/1.1 clients on loopback, bounded by time and count."""
    path = f"/api/v1/templates/{TEMPLATE}/variants/"
    deadline = time.monotonic() + seconds
    limit = 2000 * seconds  # hard bound on requests per client
    done = errors = 0

    async def client(index: int) -> None:
        nonlocal done, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for number in range(limit):
                if time.monotonic() >= deadline:
                    return
                body = f'{{"seed": {(index * 7919 + number) % SEEDS}}}'.encode()
                writer.write(
                    f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                    f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                await reader.readexactly(length)
                done += 1
                if b" 201 " not in head.split(b"\r\n", 1)[0] + b" ":
                    errors += 1
        finally:
            writer.close()

    start = time.monotonic()
    results = await asyncio.gather(*(client(i) for i in range(connections)), return_exceptions=True)
    errors += sum(1 for result in results if isinstance(result, Exception))
    return done / (time.monotonic() - start), done, errors


def _load(seconds: int, connections: int) -> bool:
    port = _free_port()
    environment = {**os.environ, "DATABASE_URL": DATABASE_URL, "DEBUG": "false", **UNTHROTTLED}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--preload",
        ],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
    )
    try:
        _wait_up(port, process)
        tool = "wrk" if shutil.which("wrk") else "asyncio client"
        print(f"\nload run: gunicorn --workers 2 on 127.0.0.1:{port}, {tool}, {seconds} s")
        # Each worker imports the generators and checkers on its first requests (seconds on a
        # busy machine): a short, discarded warm-up run first, so the measured run is steady.
        if tool == "wrk":
            _wrk(port, 3, connections, quiet=True)
            rate, total, errors = _wrk(port, seconds, connections)
        else:
            asyncio.run(_asyncio_load(port, 3, connections))
            rate, total, errors = asyncio.run(_asyncio_load(port, seconds, connections))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    passed = rate >= TARGET_RPS and errors == 0
    print(
        f"POST variant under load: {rate:.0f} requests/s, {total} requests, {errors} errors  "
        f"{'PASS' if passed else 'FAIL'} (>= {TARGET_RPS:g}/s, no errors)"
    )
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    arguments = parser.parse_args(argv)
    _prepare_environment()

    import django  # noqa: PLC0415 - settings depend on the environment prepared above

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    call_command("import_bank", "fixtures/starter_bank.yaml", verbosity=0)
    results = [_latency(arguments.requests)]
    from django.db import connections  # noqa: PLC0415

    connections.close_all()
    results.append(_load(arguments.load_seconds, arguments.connections))
    print("RESULT:", "PASS" if all(results) else "FAIL")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
