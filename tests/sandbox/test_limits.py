"""Resource limits: wall clock, CPU, memory, output, processes, and the process-tree kill."""

from __future__ import annotations

import os

from sandbox import Limits, Status
from tests.sandbox.helpers import make_job


def test_wall_clock_limit_times_out_a_sleeping_snippet(sandbox_client):
    job = make_job("import time\ntime.sleep(30)\n", limits=Limits(wall_time_s=1.0, cpu_time_s=5))

    outcome = sandbox_client.run(job)

    assert outcome.status is Status.TIMEOUT
    assert outcome.message == "wall-clock limit of 1 s exceeded"
    assert 1.0 <= outcome.wall_time_s < 5.0


def test_cpu_limit_stops_a_busy_loop(sandbox_client):
    job = make_job("while True:\n    pass\n", limits=Limits(wall_time_s=15.0, cpu_time_s=1))

    outcome = sandbox_client.run(job)

    assert outcome.status is Status.TIMEOUT
    assert outcome.message == "CPU time limit of 1 s exceeded"
    assert outcome.cpu_time_s >= 1.0


def test_memory_limit_stops_a_memory_bomb(sandbox_client):
    code = "hoard = torch.ones(1024, 1024, 1024)\nmodel = nn.Identity()\n"
    job = make_job(code, limits=Limits(memory_bytes=256 * 2**20, wall_time_s=20.0))

    outcome = sandbox_client.run(job)

    assert outcome.status is Status.MEMORY_LIMIT
    assert outcome.message == f"memory limit of {256 * 2**20} bytes exceeded"


def test_output_limit_truncates_visibly(sandbox_client):
    code = "print('x' * 10_000_000)\nmodel = nn.Identity()\n"
    job = make_job(code, limits=Limits(max_output_bytes=1000, wall_time_s=20.0))

    outcome = sandbox_client.run(job)

    assert outcome.status is Status.OUTPUT_LIMIT
    assert outcome.stdout_truncated
    assert outcome.stdout.startswith("x" * 1000 + "\n[stride sandbox: output truncated")


def test_process_limit_contains_a_fork_loop(sandbox_client):
    code = """
import os, time
started = 0
for _ in range(200):
    try:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        started += 1
    except OSError:
        break
print(started)
model = nn.Identity()
"""
    job = make_job(code, limits=Limits(max_processes=8, wall_time_s=20.0))

    outcome = sandbox_client.run(job)

    assert outcome.status is Status.OK, outcome.message
    assert int(outcome.stdout) < 8


def _processes_named(name: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm", encoding="utf-8") as comm:
                    if comm.read().strip() == name:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def test_a_setsid_daemon_dies_with_its_job(sandbox_client):
    code = """
import ctypes, os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, b"stride-daemon", 0, 0, 0)  # PR_SET_NAME
        time.sleep(120)
    os._exit(0)
time.sleep(0.5)
model = nn.Identity()
"""
    outcome = sandbox_client.run(make_job(code))

    assert outcome.status is Status.OK, outcome.message
    assert _processes_named("stride-daemon") == []
