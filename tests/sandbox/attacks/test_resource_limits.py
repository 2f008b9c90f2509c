"""Attacks on the machine's resources: CPU, memory, processes, threads, descriptors, scheduling.

Each must end in the right status, within its limit, measured from outside (the test's own clock,
the server's cgroup counters, a sampler of the host's /proc while the job runs).
"""

from __future__ import annotations

import pytest

from sandbox import Limits, Status
from sandbox.protocol import MIB
from tests.sandbox.attacks.conftest import HANG, KILL_LATENCY_S, QUICK, UID_RANGE
from tests.sandbox.attacks.observe import ProcessSampler

MEMORY = Limits(wall_time_s=5.0, cpu_time_s=5, memory_bytes=192 * MIB)


@pytest.mark.parametrize("snippet", ["infinite_loop.py", "sleep_forever.py", "ignore_sigterm.py"])
def test_a_job_that_never_ends_is_killed_at_its_limit(attacker, snippet):
    with ProcessSampler(UID_RANGE, attacker.server_pid) as sampler:
        outcome = attacker.run(snippet, limits=HANG)

    assert outcome.status is Status.TIMEOUT
    assert outcome.results == ()
    assert outcome.error is None
    assert attacker.elapsed[-1] < HANG.wall_time_s + KILL_LATENCY_S
    # Processes and threads both count against the job's pids limit.
    assert sampler.samples > 10
    assert sampler.most_processes <= HANG.max_processes
    assert sampler.most_threads <= HANG.max_processes


def test_fork_bomb_never_exceeds_the_process_limit(attacker):
    limits = Limits(wall_time_s=2.0, cpu_time_s=2, max_processes=8)

    with ProcessSampler(UID_RANGE, attacker.server_pid) as sampler:
        outcome = attacker.run("fork_bomb.py", limits=limits)

    assert outcome.status is Status.TIMEOUT
    assert outcome.results == ()
    assert attacker.elapsed[-1] < limits.wall_time_s + KILL_LATENCY_S
    assert 1 < sampler.most_processes <= limits.max_processes


def test_busy_threads_are_capped_by_the_process_limit(attacker):
    with ProcessSampler(UID_RANGE, attacker.server_pid) as sampler:
        outcome = attacker.run("busy_threads.py", limits=HANG)

    started = int(outcome.stdout.split("threads started:")[1].split()[0])
    assert outcome.status is Status.TIMEOUT
    assert attacker.elapsed[-1] < HANG.wall_time_s + KILL_LATENCY_S
    assert 0 < started < HANG.max_processes
    assert sampler.most_threads <= HANG.max_processes


def test_cpu_time_limit_ends_a_spin_long_before_the_wall_clock(attacker):
    """The snippet ignores SIGXCPU: the hard limit's SIGKILL one second later ends it."""
    limits = Limits(wall_time_s=15.0, cpu_time_s=1)

    outcome = attacker.run("ignore_sigterm.py", limits=limits)

    assert outcome.status is Status.TIMEOUT
    assert "CPU time" in outcome.message
    assert attacker.elapsed[-1] < limits.wall_time_s
    assert 1.0 <= outcome.cpu_time_s < 3.0


@pytest.mark.parametrize("snippet", ["memory_bomb.py", "torch_memory_bomb.py"])
def test_memory_bombs_hit_the_memory_limit(attacker, snippet):
    outcome = attacker.run(snippet, limits=MEMORY)

    assert outcome.status is Status.MEMORY_LIMIT
    assert outcome.results == ()
    # Measured by the server from the job's cgroup, not reported by the child.
    assert 0 < outcome.peak_memory_bytes <= MEMORY.memory_bytes
    assert attacker.elapsed[-1] < MEMORY.wall_time_s


def test_memfds_count_against_the_memory_limit(attacker):
    outcome = attacker.run("memfd_flood.py", limits=MEMORY)

    assert outcome.status is Status.MEMORY_LIMIT
    assert 0 < outcome.peak_memory_bytes <= MEMORY.memory_bytes


def test_runaway_recursion_is_stopped(attacker):
    outcome = attacker.run("recursion_overflow.py", limits=MEMORY)

    assert outcome.status in (Status.MEMORY_LIMIT, Status.TIMEOUT, Status.KILLED)
    assert outcome.results == ()
    assert attacker.elapsed[-1] < MEMORY.wall_time_s + KILL_LATENCY_S


def test_a_pool_bigger_than_the_process_limit_cannot_start(attacker):
    with ProcessSampler(UID_RANGE, attacker.server_pid) as sampler:
        _, report = attacker.report("multiprocessing_pool.py")

    assert report == {"error": "BlockingIOError: [Errno 11] Resource temporarily unavailable"}
    assert sampler.most_processes <= Limits().max_processes


def test_descriptor_exhaustion_stops_at_the_limit(attacker):
    _, report = attacker.report("fd_exhaustion.py")

    limit = Limits().max_open_files
    assert report["error"] == "EMFILE"
    assert report["raised"] is False
    assert (report["soft"], report["hard"]) == (limit, limit)
    assert report["opened"] < limit


def test_rlimits_cannot_be_raised(attacker):
    _, report = attacker.report("raise_rlimits.py")

    limits = QUICK
    enforced = {
        "RLIMIT_CPU": [limits.cpu_time_s, limits.cpu_time_s + 1],
        "RLIMIT_FSIZE": [limits.max_file_bytes, limits.max_file_bytes],
        "RLIMIT_NOFILE": [limits.max_open_files, limits.max_open_files],
        "RLIMIT_NPROC": [limits.max_processes, limits.max_processes],
        # 1, not 0: a pipe core_pattern ignores 0 but honours the kernel's opt-out value 1.
        "RLIMIT_CORE": [1, 1],
        "RLIMIT_MEMLOCK": [0, 0],
        "RLIMIT_MSGQUEUE": [0, 0],
        "RLIMIT_RTPRIO": [0, 0],
        "RLIMIT_NICE": [0, 0],
    }
    for name, expected in enforced.items():
        assert report[name]["before"] == expected, name
        assert report[name]["after"] == expected, name
        assert report[name]["outcome"].startswith("refused"), name
        assert "prlimit refused" in report[name]["outcome"], name


def test_realtime_scheduling_and_negative_nice_are_refused(attacker):
    _, report = attacker.report("realtime_priority.py")

    assert report == {
        "sched_fifo": "EPERM",
        "sched_rr": "EPERM",
        "nice_minus_20": "EACCES",
        "nice_down": "EPERM",
        "ioprio_rt": "EPERM",
        "policy": 0,
        "nice": 0,
    }
