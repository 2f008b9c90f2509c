"""The server's footprint on the host: its private directory, and what it reports about itself."""

from __future__ import annotations

import os
import shutil
import tempfile

RUN_DIRECTORY = "/run/stride-sandbox"


def rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def anonymous_huge_pages() -> int:
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1]) * 1024
    return 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def private_directory() -> str:
    """A root-only directory for this server's root templates, after removing dead servers'.

    Those trees were built by a server and only ever mounted read-only by children, so
    removing them (rmtree works on descriptors and never follows symlinks) touches nothing a
    student wrote.
    """
    try:
        os.makedirs(RUN_DIRECTORY, mode=0o700, exist_ok=True)
        for name in os.listdir(RUN_DIRECTORY):
            if name.isdigit() and not _pid_alive(int(name)):
                shutil.rmtree(os.path.join(RUN_DIRECTORY, name), ignore_errors=True)
        path = os.path.join(RUN_DIRECTORY, str(os.getpid()))
        os.makedirs(path, mode=0o700)
    except OSError:
        return tempfile.mkdtemp(prefix="stride-sandbox-")
    return path
