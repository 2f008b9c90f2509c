"""End-to-end grading: API -> PostgreSQL -> Redis -> two worker processes -> sandbox -> result.

Targets (issue 4), on a 2-core machine: at least 60 graded submissions/s; at half that load,
p50 latency at most 60 ms and p95 at most 150 ms (created_at in the web process to finished_at
in the worker, both stored by the database). Baseline in the same run: the same snippet run
directly through the sandbox client (no web, queue or database), so the pipeline's own overhead
is visible next to the sandbox's cost.

    python -m benchmarks.grading_throughput [--submissions 600]

Uses a scratch database ``stride_bench_grading`` on $BENCH_DATABASE_URL's server and Redis db 14.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stride_bench_grading"
)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
THROUGHPUT_TARGET = 60.0
P50_TARGET_MS = 60.0
P95_TARGET_MS = 150.0


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "GRADER_SUBMISSIONS_PER_MINUTE": "1000000",
        "GRADER_MAX_UNFINISHED_PER_USER": "1000000",
        # One benchmark client sends everything: the API's per-client throttle would stop it.
        "API_THROTTLE_ANON": "1000000/min",
        "API_THROTTLE_USER": "1000000/min",
        "LOG_LEVEL": "WARNING",
    }


def _prepare() -> None:
    import psycopg  # noqa: PLC0415
    import redis  # noqa: PLC0415

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(BROKER_URL).flushdb()
    os.environ.update(_environment())


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=600)
    parser.add_argument("--half-load-seconds", type=float, default=10.0)
    arguments = parser.parse_args(argv)
    _prepare()

    import django  # noqa: PLC0415 - after the environment is set

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from grader.models import CodeQuestion, Submission  # noqa: PLC0415
    from grader.questions import get_template  # noqa: PLC0415
    from grader.sandbox_gateway import build_job  # noqa: PLC0415
    from sandbox.client import SandboxClient  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    variant = get_template("map-shape").generate(seed=1)
    question = CodeQuestion.objects.create(slug="bench", title="bench", spec=variant.to_dict())
    _batch, c_in, _h, _w = variant.visible_input
    code = f"import torch.nn as nn\nmodel = nn.Conv2d({c_in}, 16, kernel_size=5, padding=2)\n"

    # Baseline: the same job straight through the sandbox client, no pipeline around it.
    with SandboxClient() as sandbox:
        job = build_job(variant, code, [variant.visible_input], "cpu")
        for _ in range(20):
            sandbox.run(job)
        baseline = []
        for _ in range(200):
            started = time.perf_counter()
            sandbox.run(job)
            baseline.append((time.perf_counter() - started) * 1000)

    log = (ROOT / "var" / "bench-workers.log").open("wb")
    workers = subprocess.Popen(
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
            "--hostname",
            "bench@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=_environment(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = Client()
    url = f"/api/v1/code-questions/{question.slug}/submissions/"

    def submit(index: int) -> None:
        response = client.post(
            url, {"code": f"{code}# {index}\n", "kind": "run"}, content_type="application/json"
        )
        if response.status_code != 202:
            raise SystemExit(f"submission refused: {response.status_code} {response.content!r}")

    def wait_all(count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while Submission.objects.filter(status="graded").count() < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"not all graded within {timeout}s; see var/bench-workers.log")
            time.sleep(0.05)

    try:
        # Warm-up: both worker processes start their sandbox servers.
        for index in range(20):
            submit(index)
        wait_all(20, 180)
        Submission.objects.all().delete()

        # Throughput: a burst, timed until the last one is graded.
        count = arguments.submissions
        started = time.perf_counter()
        for index in range(count):
            submit(1000 + index)
        wait_all(count, 600)
        elapsed = time.perf_counter() - started
        throughput = count / elapsed
        Submission.objects.all().delete()

        # Latency at half that load: submissions at a steady rate.
        rate = throughput / 2
        total = int(rate * arguments.half_load_seconds)
        begin = time.perf_counter()
        for index in range(total):
            target = begin + index / rate
            delay = target - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            submit(100_000 + index)
        wait_all(total, 300)
        latencies = [
            (s.finished_at - s.created_at).total_seconds() * 1000 for s in Submission.objects.all()
        ]
    finally:
        workers.terminate()
        workers.wait(timeout=30)
        log.close()

    p50, p95 = statistics.median(latencies), _percentile(latencies, 0.95)
    base50 = statistics.median(baseline)
    checks = [
        (
            f"throughput {throughput:.1f} graded/s",
            throughput >= THROUGHPUT_TARGET,
            f">= {THROUGHPUT_TARGET:g}/s",
        ),
        (f"p50 {p50:.1f} ms at {rate:.0f}/s", p50 <= P50_TARGET_MS, f"<= {P50_TARGET_MS:g} ms"),
        (f"p95 {p95:.1f} ms at {rate:.0f}/s", p95 <= P95_TARGET_MS, f"<= {P95_TARGET_MS:g} ms"),
    ]
    print(f"baseline: sandbox alone p50 {base50:.1f} ms, p95 {_percentile(baseline, 0.95):.1f} ms")
    print(f"pipeline overhead at p50: {p50 - base50:.1f} ms over the sandbox alone")
    for label, passed, target in checks:
        print(f"{label:<40} {'PASS' if passed else 'FAIL'} ({target})")
    ok = all(passed for _label, passed, _target in checks)
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
