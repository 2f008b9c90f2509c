"""The server's children: how one is forked into its own pid namespace, and its bookkeeping."""

from __future__ import annotations

import collections
import contextlib
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from sandbox import child
from sandbox.cgroups import ChildCgroup
from sandbox.isolation import IsolationPlan
from sandbox.syscalls import CLONE_NEWPID, setns, unshare


@dataclass
class Request:
    """A client's request for a child (the job itself never reaches the server)."""

    id: int
    limits: dict[str, Any]
    fresh: bool = False
    probe: bool = False


@dataclass
class ChildRecord:
    job_id: int
    pid: int
    pidfd: int
    uid: int
    cgroup: ChildCgroup | None
    ready_fd: int | None
    client_fds: list[int]
    request: Request | None = None
    state: str = "starting"  # starting -> ready -> running (or probing); failed
    missing: dict[str, str] = field(default_factory=dict)
    deadline: float | None = None
    # (memory bytes, processes) last written to its cgroup, so a hand-out rewrites only changes.
    cgroup_limits: tuple[int, int] | None = None
    fork_cpu_ns: int = 0


class UidPool:
    """Unprivileged uids, one per live child, reused round-robin."""

    def __init__(self, uids: range) -> None:
        self._free = collections.deque(uids)

    def allocate(self) -> int:
        return self._free.popleft()

    def release(self, uid: int) -> None:
        self._free.append(uid)


def close_quietly(*fds: int | None) -> None:
    for fd in fds:
        if fd is not None and fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)


def fork_child(
    plan: IsolationPlan,
    own_pid_namespace: int,
    *,
    memory_rlimit: bool,
    fresh: bool,
    rehearse: bool = True,
) -> tuple[int, int, list[int]]:
    """Fork a child that isolates itself and waits for a job. Returns (pid, ready fd, client fds).

    The child is pid 1 of a new pid namespace: unshare(CLONE_NEWPID) only changes where the
    caller's *next* child goes, and setns back to our own namespace undoes it right after fork.
    The client fds are the server's ends of the job, result, stdout and stderr pipes.
    """
    job_r, job_w = os.pipe()
    result_r, result_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    ready_r, ready_w = os.pipe()
    # Anything still buffered would be written a second time by the child.
    sys.stdout.flush()
    sys.stderr.flush()
    in_new_pid_namespace = True
    try:
        unshare(CLONE_NEWPID)
    except OSError:
        in_new_pid_namespace = False  # the child will find it is not pid 1 and say so
    pid = os.fork()
    if pid == 0:
        try:
            child.main(
                plan,
                (job_r, result_w, out_w, err_w, ready_w),
                memory_rlimit=memory_rlimit,
                fresh=fresh,
                rehearse=rehearse,
            )
        finally:
            os._exit(child.EXIT_CRASHED)
    if in_new_pid_namespace:
        setns(own_pid_namespace, CLONE_NEWPID)
    close_quietly(job_r, result_w, out_w, err_w, ready_w)
    return pid, ready_r, [job_w, result_r, out_r, err_r]
