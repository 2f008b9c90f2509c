"""Attacks on the host's secrets: password hashes, the project's settings and secret key, the
database files, the question bank, the worker's environment, other processes.

The autouse fixture already checks that no Outcome holds the canary planted in this process's
environment, a hash of /etc/shadow or var/secret_key. Each test adds evidence of its own, read from
the host by the test process, that the snippet's loot is not in what came back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import Status
from tests.sandbox.attacks.conftest import CANARY
from tests.sandbox.attacks.observe import PROJECT_ROOT, host_processes


def distinctive_lines(path: Path, count: int = 5) -> list[str]:
    """The longest lines of a host file: any of them in the output would mean it was read."""
    lines = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
    return sorted((line for line in lines if len(line) > 20), key=len, reverse=True)[:count]


def loot(stdout: str) -> list[str]:
    """Lines on which a snippet announced that it read or found something."""
    return [line for line in stdout.splitlines() if line.startswith(("READ ", "FOUND "))]


def test_etc_shadow_is_unreadable_by_any_path(attacker):
    shadow = Path("/etc/shadow")
    assert shadow.exists()  # on the host, where the test runs as root

    outcome = attacker.run("read_etc_shadow.py")

    assert outcome.status is Status.OK
    assert loot(outcome.stdout) == []
    assert outcome.stdout.count("DENIED ") == 11
    first_entry = shadow.read_text(encoding="utf-8").splitlines()[0]
    assert first_entry not in outcome.stdout


@pytest.mark.parametrize(
    ("snippet", "host_file"),
    [
        ("read_project_settings.py", "config/settings/base.py"),
        ("read_project_settings.py", "sandbox/config.py"),
        ("read_fixtures.py", "fixtures/starter_bank.yaml"),
    ],
)
def test_project_files_are_invisible(attacker, snippet, host_file):
    path = PROJECT_ROOT / host_file
    assert path.exists()

    outcome = attacker.run(snippet)

    assert outcome.status is Status.OK
    assert loot(outcome.stdout) == []
    for line in distinctive_lines(path):
        assert line not in outcome.stdout


def test_the_project_settings_hunt_found_nothing_despite_trying_hard(attacker):
    outcome = attacker.run("read_project_settings.py")

    tried = int(outcome.stdout.split("candidates tried:")[1].split()[0])
    assert tried > 20
    assert "files read: 0" in outcome.stdout


def test_database_files_are_invisible(attacker):
    database = PROJECT_ROOT / "var" / "stride.sqlite3"
    if not database.exists():  # a fresh checkout never ran `make run`: plant one to look for
        database.parent.mkdir(exist_ok=True)
        database.write_bytes(b"SQLite format 3\x00" + CANARY.encode())

    outcome = attacker.run("read_database_file.py")

    assert outcome.status is Status.OK
    assert loot(outcome.stdout) == []
    assert "SQLite format 3" not in outcome.stdout
    assert "var visible: False False" in outcome.stdout


def test_no_environment_of_the_worker_reaches_the_job(attacker):
    outcome = attacker.run("dump_environment.py")

    assert outcome.status is Status.OK
    lines = outcome.stdout.splitlines()
    assert lines[0] == "os.environ: {}"
    assert lines[1] == "/proc/self/environ: "
    assert "MEMORY: []" in lines
    assert CANARY not in outcome.stdout
    assert CANARY not in outcome.stderr


def test_proc_shows_only_the_job_itself(attacker):
    host_commands = " ".join(process.command for process in host_processes())
    assert "redis-server" in host_commands or "postgres" in host_commands

    _, report = attacker.report("walk_proc.py")

    # One process: the job itself, pid 1 of its own namespace (a fork of the server, hence
    # the server's command line).
    assert report["pids"] == [1]
    assert "sandbox.server" in report["cmdlines"]["1"]
    for name in ("redis", "postgres", "pytest", "celery", "manage.py"):
        assert name not in report["cmdlines"]["1"]
    # A network namespace of its own: no listening socket of the host, no unix socket at all.
    assert report["tcp"].count("\n") == 2  # the two header lines of tcp and tcp6
    assert report["unix"].count("\n") == 1
    assert report["hostname"] == "sandbox\n"
    # Only the virtualenv's site-packages of the whole project directory is mounted.
    project = str(PROJECT_ROOT)
    mounted = [line.split()[4] for line in report["mountinfo"].splitlines()]
    inside_project = [point for point in mounted if point.startswith(project)]
    assert inside_project
    assert all("site-packages" in point for point in inside_project)
