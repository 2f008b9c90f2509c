"""Attacks through the filesystem: filling it, planting links for the worker, leaving files for
the next job, escaping the root, making devices, writing kernel tunables, setuid programs.

The job's writable places are private, size-capped tmpfs mounts that vanish with it; the host's
own /tmp, /dev/shm, /etc and kernel settings are checked from outside before and after.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.sandbox.attacks.conftest import CONFIG, UID_RANGE
from tests.sandbox.attacks.observe import HOST_SCRATCH, PROJECT_ROOT

# Files whose change would mean the job reached the host.
HOST_FILES = (
    "/etc/passwd",
    "/etc/shadow",
    "/etc/hostname",
    "/proc/sys/kernel/core_pattern",
    "/proc/sys/kernel/modprobe",
    "/proc/sys/kernel/hostname",
    "/proc/sys/kernel/domainname",
    "/proc/sys/kernel/panic_on_oops",
    "/proc/sys/kernel/sysrq",
    "/proc/sys/net/ipv4/ip_forward",
)
REFUSED = {"EPERM", "EACCES", "EROFS", "ENOENT", "ENOSPC", "EFBIG", "EXDEV", "ENOSYS"}


def host_state() -> dict[str, tuple[str, float]]:
    state = {}
    for name in HOST_FILES:
        path = Path(name)
        if path.exists():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[name] = (digest, path.stat().st_mtime)
    return state


def host_names(pattern: str) -> list[str]:
    return [str(path) for directory in HOST_SCRATCH for path in directory.glob(pattern)]


@pytest.fixture
def host_unchanged():
    """The host's sensitive files and kernel settings, compared around the test (the autouse
    fixture checks the scratch directories)."""
    before = host_state()
    yield
    assert host_state() == before


def test_filling_every_writable_place_stops_at_the_caps(attacker, host_unchanged):
    report = attacker.reported("fill_disk.py")

    written, errors = report["written"], report["errors"]
    # /tmp and the working directory are one tmpfs; each file is also cut by RLIMIT_FSIZE.
    assert written["/tmp"] + written["."] <= CONFIG.tmp_bytes
    assert errors["/tmp"] in ("EFBIG", "ENOSPC")
    assert written["/dev/shm"] <= CONFIG.shm_bytes
    assert errors["/dev/shm"] == "ENOSPC"
    for read_only in ("/", "/work", "/usr", "/etc", "/proc"):
        assert written[read_only] == 0, read_only
        assert errors[read_only] in ("EROFS", "EACCES", "ENOENT"), read_only
    assert host_names("fill-*.bin") == []


def test_inodes_of_the_tmp_filesystem_run_out(attacker, host_unchanged):
    report = attacker.reported("inode_exhaustion.py")

    assert report["error"] == "ENOSPC"
    assert 0 < report["created"] < 100_000
    assert host_names("inode-*") == []


def test_a_sparse_terabyte_file_is_refused(attacker, host_unchanged):
    report = attacker.reported("sparse_1tib_file.py")

    assert set(report.values()) == {"EFBIG"}


@pytest.mark.parametrize(
    ("snippet", "unit"), [("dev_shm_flood.py", "written"), ("shared_memory_flood.py", "segments")]
)
def test_dev_shm_is_private_and_capped(attacker, host_unchanged, snippet, unit):
    report = attacker.reported(snippet)

    written = report[unit] * (1 << 20) if unit == "segments" else report[unit]
    assert 0 < written <= CONFIG.shm_bytes
    assert report["error"] == "ENOSPC"
    assert host_names("flood-*") == []
    assert host_names("stride-flood-*") == []


def test_planted_symlinks_lead_nowhere_on_the_host(attacker, host_unchanged):
    settings = Path(__file__).resolve().parents[3] / "config" / "settings" / "base.py"
    settings_before = settings.stat()

    report = attacker.reported("symlink_planting.py")

    assert report["/tmp/result.json"] == "PLANTED"  # the attack did run
    # Hard links across into the read-only binds are impossible.
    assert {report[path] for path in report if "hard-" in path} == {"EXDEV"}
    settings_after = settings.stat()
    assert (settings_after.st_ino, settings_after.st_mtime) == (
        settings_before.st_ino,
        settings_before.st_mtime,
    )
    assert host_names("result.json") == []
    assert host_names("stdout.fifo") == []


def test_files_left_for_the_next_job_are_gone(attacker, host_unchanged):
    left = attacker.reported("leave_files_for_next_job.py")
    found = attacker.reported("look_for_previous_job_files.py")

    assert left["/tmp/stride-leftover"] == "WRITTEN"
    assert left["/dev/shm/stride-leftover"] == "WRITTEN"
    assert left["/stride-leftover"] == "EROFS"
    assert {value for path, value in left.items() if "stride_leftover." in path} == {"EROFS"}
    # A checkout under /tmp (a CI clone) shows its root-owned, read-only path to the virtualenv.
    project = Path(PROJECT_ROOT)
    inside_tmp = project.relative_to("/tmp").parts[:1] if project.is_relative_to("/tmp") else ()
    assert found == {"found": {}, "tmp": list(inside_tmp), "shm": []}
    assert host_names("stride-leftover") == []


def test_chroot_escape_finds_no_way_out(attacker):
    host_only = set(os.listdir("/")) - {"dev", "etc", "lib", "lib64", "proc", "root", "tmp"}
    # The virtualenv is bound at its host path, so the checkout's top directory
    # (/work here, /check or /tmp on CI clones) exists inside, holding only `.venv`.
    host_only -= {"usr", Path(PROJECT_ROOT).parts[1]}
    assert host_only  # /home, /var, /boot, ...: what an escape would reveal

    report = attacker.reported("chroot_escape.py")

    assert report["chroot"] == "EPERM"
    assert report["chroot_dot"] == "EPERM"
    assert report["after"] == report["before"]
    assert report["proc_root"] == report["before"]
    assert host_only.isdisjoint(report["after"] + report["dotdot"] + report["proc_root"])
    assert report["work_main"] == [".venv"]


def test_device_nodes_cannot_be_made_or_found(attacker):
    report = attacker.reported("mknod_device.py")

    assert set(report["mknod"].values()) == {"EPERM"}
    assert not [path for path, value in report["open"].items() if value.startswith("OPENED")]
    assert set(report["dev"]) <= {"fd", "full", "null", "random", "shm", "urandom", "zero"}


def test_kernel_tunables_stay_untouched(attacker, host_unchanged):
    report = attacker.reported("write_to_proc_sys.py")

    written = sorted(path for path, value in report.items() if value == "WRITTEN")
    # The job's own core-dump filter is its own business (and RLIMIT_CORE is 0).
    assert written == ["/proc/self/coredump_filter"]
    assert set(report.values()) - {"WRITTEN"} <= REFUSED


def test_setuid_programs_give_nothing(attacker):
    report = attacker.reported("setuid_binary_search.py")

    assert report["scanned"] > 1000
    for path, found in report["found"].items():
        assert found["nosuid_mount"] is True, path
    # A setuid copy of our own cannot even be executed: /tmp is noexec.
    assert report["own_suid_run"] == "EACCES"
    (real, effective, saved), groups = report["ids"]
    assert real == effective == saved
    assert real in UID_RANGE
    assert groups == [real, real, real]
