"""After every attack (this module runs last in the directory): nothing of the sandbox's uids is
left anywhere on the host, and no job's cgroup outlived it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.sandbox.attacks.conftest import CONFIG, UID_RANGE
from tests.sandbox.attacks.observe import files_owned_by, stray_sandbox_processes, wait_for


def test_no_process_of_the_sandbox_uids_is_left_but_the_idle_pool(server_pid):
    assert (
        wait_for(
            lambda: stray_sandbox_processes(
                UID_RANGE, server_pid=server_pid, pool_size=CONFIG.pool_size
            )
        )
        == []
    )


def test_no_file_of_the_sandbox_uids_is_left_on_the_host():
    """The host's scratch directories, /run and the whole project directory."""
    assert files_owned_by(UID_RANGE) == []


def server_child_cgroups(server_pid: int) -> list[Path]:
    """The per-job cgroups next to the server's own leaf, in every hierarchy it uses."""
    mounts = {}
    with open("/proc/self/mountinfo", encoding="ascii") as mountinfo:
        for line in mountinfo:
            before, _, after = line.partition(" - ")
            mount_point = before.split()[4]
            filesystem, _source, options = after.split()[:3]
            if filesystem == "cgroup2":
                mounts[""] = mount_point
            elif filesystem == "cgroup":
                for controller in options.split(","):
                    mounts.setdefault(controller, mount_point)
    found = []
    with open(f"/proc/{server_pid}/cgroup", encoding="ascii") as cgroups:
        for line in cgroups:
            _, controllers, path = line.strip().split(":", 2)
            if not path.endswith("/server"):
                continue
            for controller in controllers.split(",") if controllers else [""]:
                if controller in mounts:
                    base = Path(mounts[controller] + os.path.dirname(path))
                    found += sorted(base.glob("child-*"))
    return found


def empty_child_cgroups(server_pid: int) -> list[str]:
    return [
        str(cgroup)
        for cgroup in server_child_cgroups(server_pid)
        if not (cgroup / "cgroup.procs").read_text(encoding="ascii").strip()
    ]


def test_no_job_cgroup_outlives_its_job(server_pid):
    """Only the idle pool's children still have a cgroup, each with its process in it."""
    assert wait_for(lambda: empty_child_cgroups(server_pid)) == []
