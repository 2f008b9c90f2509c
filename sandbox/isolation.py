"""Kernel-enforced isolation, applied by every child to itself before it sees a job.

Each protection is one named step. A step that fails raises ProtectionUnavailable naming it, and
the job is refused (fail closed). Only the explicit development mode (`allow_unsafe`) records the
step as missing and carries on; probe mode does the same to report what the host supports.

The pid namespace is not a step here: unshare(CLONE_NEWPID) only applies to children, so the
server creates it around fork() and the child merely checks that it is pid 1.
"""

from __future__ import annotations

import dataclasses
import fcntl
import logging
import os
import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from sandbox import filesystem, seccomp, syscalls

logger = logging.getLogger("sandbox")

# The child's descriptor table, identical in every child: the student code can find these (see
# DESIGN.md), which is why what comes back is validated rather than trusted.
FD_JOB = 3
FD_RESULT = 4
FD_READY = 5
FIRST_FREE_FD = 6
_SYS_CLOSE_RANGE = 436

PROTECTIONS = (
    "close_fds",
    "no_core_dumps",
    "new_session",
    "pid_namespace",
    "network_namespace",
    "mount_namespace",
    "ipc_namespace",
    "uts_namespace",
    "filesystem",
    "capabilities",
    "unprivileged_uid",
    "no_new_privs",
    "seccomp",
)


class ProtectionUnavailable(Exception):
    """A protection could not be set up; the message names it."""

    def __init__(self, protection: str, detail: str) -> None:
        super().__init__(f"{protection}: {detail}")
        self.protection = protection
        self.detail = detail


@dataclass(frozen=True)
class IsolationPlan:
    """Everything a child needs to isolate itself, computed once in the server.

    The seccomp program is assembled in the server too: every child would build the same bytes.
    An empty program means it could not be built (`seccomp_error` says why); the child then
    fails at that step like at any other.
    """

    layout: filesystem.RootLayout
    cap_last_cap: int
    seccomp_program: bytes
    seccomp_error: str = ""
    uid: int = 0
    allow_unsafe: bool = False
    probe: bool = False
    # Testing hook: pretend these protections cannot be set up, to exercise failing closed.
    simulate_missing: frozenset[str] = frozenset()

    def for_uid(self, uid: int) -> IsolationPlan:
        return dataclasses.replace(self, uid=uid)


@dataclass
class IsolationReport:
    missing: dict[str, str] = dataclasses.field(default_factory=dict)
    # CPU nanoseconds per step, reported to the server (see ForkServer.setup_profile).
    cpu_ns: dict[str, int] = dataclasses.field(default_factory=dict)


def _arrange_fds(job: int, result: int, stdout: int, stderr: int, ready: int) -> None:
    """Put the child's pipes at fixed numbers and close every other inherited descriptor.

    The server's control socket, the other pool children's pipes and anything the worker leaked
    are all closed here, before any other step, so no later failure can leave them open.
    """
    devnull = os.open("/dev/null", os.O_RDWR)
    wanted = {0: devnull, 1: stdout, 2: stderr, FD_JOB: job, FD_RESULT: result, FD_READY: ready}
    # Move every source out of the way first, so dup2 into 0..5 never clobbers a source.
    parked = {target: fcntl.fcntl(source, fcntl.F_DUPFD, 64) for target, source in wanted.items()}
    for target, source in parked.items():
        os.dup2(source, target)
    if syscalls._libc.syscall(_SYS_CLOSE_RANGE, FIRST_FREE_FD, 0xFFFFFFFF, 0) != 0:
        os.closerange(FIRST_FREE_FD, os.sysconf("SC_OPEN_MAX"))


def _capability_status() -> dict[str, int]:
    fields: dict[str, int] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key.startswith("Cap"):
                fields[key] = int(value.strip(), 16)
            elif key in ("Uid", "Gid"):
                fields[key] = len(set(value.split()))  # distinct real/effective/saved/fs ids
            elif key == "NoNewPrivs":
                fields[key] = int(value)
    return fields


def _no_core_dumps() -> None:
    # 1, not 0: with a pipe core_pattern (systemd-coredump, apport) the kernel ignores 0 and runs
    # the host's helper as root on the crashing process's memory; 1 is its documented opt-out,
    # and below the smallest core a file pattern would write.
    resource.setrlimit(resource.RLIMIT_CORE, (1, 1))


def _drop_capabilities(cap_last_cap: int) -> None:
    for capability in range(cap_last_cap + 1):
        syscalls.prctl(syscalls.PR_CAPBSET_DROP, capability)


def _drop_uid(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
        raise OSError(0, "uid or gid did not change")
    # Changing the euid resets these two; both are wanted after the drop, so set them now.
    syscalls.prctl(syscalls.PR_SET_PDEATHSIG, signal.SIGKILL)
    # Dumpable keeps /proc/self readable by the job itself (Python and torch read it); ptrace
    # and process_vm_* stay denied by seccomp, and RLIMIT_CORE=0 prevents core files.
    syscalls.prctl(syscalls.PR_SET_DUMPABLE, 1)


def _verify_no_capabilities() -> None:
    status = _capability_status()
    held = {key: value for key, value in status.items() if key.startswith("Cap") and value}
    if held:
        raise OSError(0, f"capabilities still held: {held}")


def _no_new_privs() -> None:
    syscalls.prctl(syscalls.PR_SET_NO_NEW_PRIVS, 1)
    if syscalls.prctl(syscalls.PR_GET_NO_NEW_PRIVS) != 1:
        raise OSError(0, "no_new_privs did not stick")


def _check_pid_namespace() -> None:
    if os.getpid() != 1:
        raise OSError(0, f"not the init of a new pid namespace (pid {os.getpid()})")


def _unshare(flag: int) -> Callable[[], None]:
    return lambda: syscalls.unshare(flag)


def isolate(plan: IsolationPlan, report: IsolationReport, fds: tuple[int, ...]) -> None:
    """Apply every protection to the calling (freshly forked) process, in dependency order.

    `fds` are the child's (job, result, stdout, stderr, ready) pipe ends.
    """
    layout = plan.layout
    if plan.uid == 0:
        raise ProtectionUnavailable("unprivileged_uid", "no uid was assigned to this child")
    steps: list[tuple[str, Callable[[], None]]] = [
        ("close_fds", lambda: _arrange_fds(*fds)),
        ("no_core_dumps", _no_core_dumps),
        ("new_session", os.setsid),
        ("pid_namespace", _check_pid_namespace),
        ("network_namespace", _unshare(syscalls.CLONE_NEWNET)),
        ("ipc_namespace", _unshare(syscalls.CLONE_NEWIPC)),
        ("uts_namespace", lambda: (syscalls.unshare(syscalls.CLONE_NEWUTS), _hostname())),
        ("mount_namespace", _unshare(syscalls.CLONE_NEWNS)),
        ("filesystem", lambda: _filesystem(layout, report)),
        ("capabilities", lambda: _drop_capabilities(plan.cap_last_cap)),
        ("unprivileged_uid", lambda: _drop_uid(plan.uid, plan.uid)),
        ("capabilities", _verify_no_capabilities),
        ("no_new_privs", _no_new_privs),
        ("seccomp", lambda: _install_seccomp(plan)),
    ]
    for name, step in steps:
        started = time.process_time_ns()
        try:
            if name in plan.simulate_missing:
                raise OSError(0, "simulated failure (testing hook)")
            step()
            report.cpu_ns[name] = report.cpu_ns.get(name, 0) + time.process_time_ns() - started
        except (OSError, ValueError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            # Without fixed descriptors the child cannot even report; that step is never optional.
            if name == "close_fds" or not (plan.allow_unsafe or plan.probe):
                raise ProtectionUnavailable(name, detail) from None
            report.missing.setdefault(name, detail)


def _install_seccomp(plan: IsolationPlan) -> None:
    if not plan.seccomp_program:
        raise OSError(0, plan.seccomp_error or "no filter")
    seccomp.install_filter(plan.seccomp_program)


def _hostname() -> None:
    syscalls.sethostname("sandbox")


def _filesystem(layout: filesystem.RootLayout, report: IsolationReport) -> None:
    if "mount_namespace" in report.missing:
        # Building the root in the host's namespace would change the host: never do that.
        raise OSError(0, "requires a mount namespace")
    filesystem.build_root(layout)
