"""Attacks on the kernel's surface: namespaces, mounts, tracing, BPF, perf, userfaultfd, io_uring,
file handles, the 32-bit and x32 syscall ABIs, terminal injection, and the job's credentials.

Every call here must fail with a refusal (seccomp, no capabilities, no device) or, for the foreign
ABIs, kill the job outright.
"""

from __future__ import annotations

import pytest

from sandbox import Status
from tests.sandbox.attacks.conftest import UID_RANGE
from tests.sandbox.attacks.observe import report_of

# What a refused call fails with: seccomp's errno, a missing capability, a call that does not
# exist (clone3, so that glibc falls back to clone, whose flags the filter can read).
REFUSALS = {"EPERM", "EACCES", "ENOSYS"}
# Report entries that are facts about the job rather than attempts.
IGNORED = {"uid_after", "ppid", "root_writable", "usr_writable", "dev_userfaultfd"}


def not_refused(report: dict, prefix: str = "") -> list[str]:
    """Every attempt in a REPORT that did not fail with a refusal.

    An attempt is reported as `[result, errno name]` (a raw syscall) or as an errno name.
    """
    failures = []
    for key, value in report.items():
        where = f"{prefix}{key}"
        if isinstance(value, dict):
            failures += not_refused(value, f"{where}.")
        elif isinstance(value, list) and len(value) == 2 and isinstance(value[0], int):
            if not (value[0] < 0 and value[1] in REFUSALS):
                failures.append(f"{where}={value}")
        elif isinstance(value, str) and value not in REFUSALS:
            failures.append(f"{where}={value}")
    return failures


def count_attempts(report: dict) -> int:
    return sum(count_attempts(value) if isinstance(value, dict) else 1 for value in report.values())


@pytest.mark.parametrize(
    ("snippet", "attempts"),
    [
        ("ctypes_unshare.py", 15),  # nine unshare, four clone, clone3, uid_map
        ("ctypes_mount.py", 12),
        ("ctypes_setns.py", 17),
        ("ctypes_ptrace.py", 6),
        ("ptrace_parent.py", 5),
        ("bpf_syscall.py", 2),
        ("perf_event_open.py", 3),
        ("userfaultfd.py", 2),
        ("io_uring_setup.py", 3),
        ("open_by_handle_at.py", 2),
    ],
)
def test_dangerous_kernel_interfaces_are_refused(attacker, snippet, attempts):
    _, report = attacker.report(snippet)

    checked = {key: value for key, value in report.items() if key not in IGNORED}
    assert not_refused(checked) == []
    assert count_attempts(checked) == attempts


def test_namespace_and_mount_attempts_changed_nothing(attacker):
    _, unshared = attacker.report("ctypes_unshare.py")
    _, mounted = attacker.report("ctypes_mount.py")

    assert unshared["uid_after"] in UID_RANGE
    assert mounted["root_writable"] is False
    assert mounted["usr_writable"] is False


@pytest.mark.parametrize("snippet", ["int80_compat_syscall.py", "x32_syscall.py"])
def test_foreign_syscall_abis_kill_the_job(attacker, snippet):
    """An x86_64 deny list says nothing about i386 (int 0x80) or x32 numbers: the filter must
    reject any other ABI outright instead of letting it through."""
    outcome = attacker.run(snippet)

    assert outcome.status is Status.KILLED
    assert "SIGSYS" in outcome.message
    assert outcome.stdout.startswith("calling")
    assert "REPORT" not in outcome.stdout
    assert outcome.results == ()


def test_terminal_injection_is_refused_and_there_is_no_terminal(attacker):
    _, report = attacker.report("tiocsti_injection.py")

    assert not_refused(report["ioctl"]) == []
    assert report["dev_tty"] == "ENOENT"
    assert report["isatty"] == [False, False, False]


def test_the_job_runs_without_privileges(attacker):
    _, report = attacker.report("capabilities_check.py")

    for field in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert report[field] == "0000000000000000", field
    assert report["NoNewPrivs"] == "1"
    assert report["Seccomp"] == "2"  # filter mode
    uids = {int(uid) for uid in report["Uid"].split()}
    gids = {int(gid) for gid in report["Gid"].split()}
    assert len(uids) == 1
    assert uids <= set(UID_RANGE)
    assert gids == uids
    assert report["Groups"] == ""
    # A session and pid namespace of its own, no controlling terminal.
    assert report["pid"] == 1
    assert report["session"] == 1
    assert report["tty_nr"] == 0
    assert report["hostname"] == "sandbox"


def test_a_segfault_kills_only_the_job(attacker):
    outcome = attacker.run("segfault_ctypes.py")

    assert outcome.status is Status.KILLED
    assert "SIGSEGV" in outcome.message
    assert outcome.stdout == "about to crash\n"
    assert outcome.results == ()


def test_kernel_addresses_log_and_memory_stay_hidden(attacker):
    _, report = attacker.report("kernel_info_leak.py")

    assert report["kallsyms_lines"] == 2000
    assert report["kallsyms_nonzero"] == 0
    assert report["syslog"] == "EPERM"
    assert report["/proc/self/pagemap"] in ("READ 64 bytes (all zero)", "EACCES", "ENOENT")
    for path in ("/proc/kcore", "/proc/kmsg", "/dev/kmsg", "/proc/kpagecount", "/proc/kpageflags"):
        assert not report[path].startswith("READ"), path


def test_a_crash_cannot_reach_the_hosts_core_dump_helper(attacker):
    outcome = attacker.run("core_dump_helper.py")

    assert outcome.status is Status.KILLED
    assert "SIGSEGV" in outcome.message
    report = report_of(outcome)
    assert report["rlimit_core"] == [1, 1] or report["dumpable"] == 0, report
