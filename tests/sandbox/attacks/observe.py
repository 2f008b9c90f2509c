"""Looking at the host from outside the sandbox: processes, files and secrets.

Everything here reads the host's own /proc and filesystem from the test process; nothing trusts
what a snippet says about itself.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sandbox import Outcome

PROJECT_ROOT = Path(__file__).resolve().parents[3]
# Where a fork-server keeps what its children mount (one directory per server pid).
SERVER_AREAS = Path("/run/stride-sandbox")
# Host places a job could try to leave files in, if its filesystem were not private.
HOST_SCRATCH = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
WATCHED_DIRECTORIES = (*HOST_SCRATCH, Path("/run"), PROJECT_ROOT)

T = TypeVar("T")


def report_of(outcome: Outcome) -> dict:
    """The JSON a snippet printed on its `REPORT ` line (the snippet's own account, used only
    alongside evidence gathered from outside)."""
    lines = [line for line in outcome.stdout.splitlines() if line.startswith("REPORT ")]
    assert lines, f"the snippet printed no REPORT line: {outcome.stdout[-2000:]!r}"
    return json.loads(lines[-1].removeprefix("REPORT "))


def wait_for(probe: Callable[[], T], timeout_s: float = 3.0, interval_s: float = 0.05) -> T:
    """Call `probe` until it returns something falsy or time runs out; return the last value.

    For conditions the kernel reaches asynchronously (a killed namespace being reaped).
    """
    deadline = time.monotonic() + timeout_s
    value = probe()
    while value and time.monotonic() < deadline:
        time.sleep(interval_s)
        value = probe()
    return value


@dataclass(frozen=True)
class HostProcess:
    pid: int
    uids: tuple[int, ...]
    state: str
    parent: int
    namespace_pids: tuple[int, ...]
    command: str

    def __str__(self) -> str:
        return (
            f"pid {self.pid} uid {self.uids[0]} state {self.state} parent {self.parent} "
            f"nspid {self.namespace_pids} {self.command[:80]!r}"
        )


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def host_processes() -> list[HostProcess]:
    processes = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fields = {}
        for line in _read(f"/proc/{name}/status").splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.split()
        if "Uid" not in fields:
            continue  # exited while we looked
        processes.append(
            HostProcess(
                pid=int(name),
                uids=tuple(int(uid) for uid in fields["Uid"]),
                state=fields.get("State", ["?"])[0],
                parent=int(fields.get("PPid", ["0"])[0]),
                namespace_pids=tuple(int(pid) for pid in fields.get("NSpid", [])),
                command=_read(f"/proc/{name}/cmdline").replace("\0", " ").strip(),
            )
        )
    return processes


def _is_fork_server(process: HostProcess) -> bool:
    return "sandbox.server" in process.command and len(process.namespace_pids) == 1


def stray_sandbox_processes(
    uid_range: range, *, server_pid: int | None, pool_size: int
) -> list[str]:
    """Processes of the sandbox's uids that should not exist.

    Other test sessions on this machine run fork-servers and jobs of their own: whatever runs
    under another live server is theirs and ignored. Under `server_pid` only the idle pool may
    remain: at most `pool_size` direct children, each the init of its own pid namespace. A
    process of a sandbox uid under no fork-server at all escaped its job's pid namespace.
    """
    processes = {process.pid: process for process in host_processes()}
    stray, idle = [], []
    for process in processes.values():
        if not any(uid in uid_range for uid in process.uids):
            continue
        ancestor = processes.get(process.parent)
        while ancestor is not None and not _is_fork_server(ancestor):
            ancestor = processes.get(ancestor.parent)
        if ancestor is not None and ancestor.pid != server_pid:
            continue  # another session's server and its jobs
        is_pool_child = (
            ancestor is not None
            and process.parent == server_pid
            and process.namespace_pids[-1:] == (1,)
            and process.state != "Z"
        )
        (idle if is_pool_child else stray).append(str(process))
    if len(idle) > pool_size:
        stray += idle  # one of them is a job that was never ended
    return stray


def processes_of_uid(uid: int) -> list[str]:
    return [str(process) for process in host_processes() if uid in process.uids]


def server_area(server_pid: int) -> list[Path]:
    return sorted(SERVER_AREAS.glob(f"{server_pid}*"))


def tree(roots: Iterable[Path]) -> frozenset[str]:
    """Every path under `roots`, links not followed."""
    found = set()
    for root in roots:
        for directory, directories, files in os.walk(root):
            found.update(os.path.join(directory, name) for name in directories + files)
    return frozenset(found)


def files_owned_by(uid_range: range, roots: Iterable[Path] = WATCHED_DIRECTORIES) -> list[str]:
    """Every file or directory under `roots` (not following links) owned by a sandbox uid/gid."""
    found = []
    pending = [str(root) for root in roots if root.exists()]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if status.st_uid in uid_range or status.st_gid in uid_range:
                found.append(entry.path)
            if entry.is_dir(follow_symlinks=False) and not entry.path.startswith("/proc"):
                pending.append(entry.path)
    return found


def host_secrets() -> tuple[str, ...]:
    """Strings of the host that no Outcome may ever contain."""
    found = []
    for line in _read("/etc/shadow").splitlines():
        parts = line.split(":")
        if len(parts) > 1 and len(parts[1]) > 3:
            found.append(parts[1])  # a password hash
    secret_key = _read(str(PROJECT_ROOT / "var" / "secret_key")).strip()
    if len(secret_key) >= 16:
        found.append(secret_key)
    if len(os.environ.get("SECRET_KEY", "")) >= 16:
        found.append(os.environ["SECRET_KEY"])
    return tuple(found)


class ProcessSampler:
    """Samples the host's processes in a thread while a job runs: the most processes and threads
    any one job of `server_pid` had at once (each job runs under a uid of its own)."""

    def __init__(self, uid_range: range, server_pid: int, interval_s: float = 0.02) -> None:
        self.uid_range = uid_range
        self.server_pid = server_pid
        self.interval_s = interval_s
        self.most_processes = 0
        self.most_threads = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _descends_from_server(self, pid: int, parents: dict[int, int]) -> bool:
        while pid in parents and pid != self.server_pid:
            pid = parents[pid]
        return pid == self.server_pid

    def _sample(self) -> None:
        statuses = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                fields = dict(
                    line.split(":", 1) for line in _read(f"/proc/{name}/status").splitlines()
                )
                if "Uid" in fields and "PPid" in fields:
                    statuses[int(name)] = fields
        parents = {pid: int(fields["PPid"]) for pid, fields in statuses.items()}
        processes: dict[int, int] = {}
        threads: dict[int, int] = {}
        for pid, fields in statuses.items():
            uid = int(fields["Uid"].split()[0])
            if uid in self.uid_range and self._descends_from_server(pid, parents):
                processes[uid] = processes.get(uid, 0) + 1
                threads[uid] = threads.get(uid, 0) + int(fields.get("Threads", "1"))
        self.most_processes = max([self.most_processes, *processes.values()])
        self.most_threads = max([self.most_threads, *threads.values()])
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> ProcessSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
