"""Attacks on other processes: killing or freezing the fork-server and everything else, a daemon
that outlives its job.

The job is pid 1 of its own pid namespace, alone in it: there is nothing it can name to signal.
The autouse fixture checks that the server still answers with the same pid; these tests add the
host's other processes and the daemon's fate, read from the host's /proc.
"""

from __future__ import annotations

import os

from sandbox import Status
from tests.sandbox.attacks.observe import host_processes, processes_of_uid, wait_for


def long_lived_processes(server_pid: int) -> set[int]:
    """This test, the fork-server, the Redis and PostgreSQL servers: none may die."""
    found = {os.getpid(), server_pid}
    for process in host_processes():
        if process.command.startswith(("redis-server", "/usr/lib/postgresql/")):
            found.add(process.pid)
    return found


def test_killing_the_parent_and_every_pid_reaches_nothing(attacker):
    before = long_lived_processes(attacker.server_pid)

    _, report = attacker.report("kill_parent.py")

    assert report["pid"] == 1
    assert report["ppid"] == 0
    assert report["delivered"] == []
    assert report["minus_one"] == "ESRCH"  # kill(-1): nobody else in its namespace
    alive = {process.pid for process in host_processes()}
    assert before <= alive


def test_sigstop_to_every_pid_freezes_nothing(attacker):
    stopped_before = {process.pid for process in host_processes() if process.state == "T"}

    _, report = attacker.report("sigstop_parent.py")

    assert report["stopped"] == []
    assert report["errors"] == {"ESRCH": 32767}
    stopped_after = {process.pid for process in host_processes() if process.state == "T"}
    assert stopped_after <= stopped_before


def test_a_setsid_daemon_dies_with_its_job(attacker):
    outcome, report = attacker.report("setsid_daemon.py")

    assert outcome.status is Status.OK
    assert report["daemon_pid"] > 1  # it did fork twice and detach
    # The job's uid is its own: any process of it still alive would be the daemon.
    assert wait_for(lambda: processes_of_uid(report["uid"])) == []
