"""Per-child memory and pids cgroups (v2, or v1 memory + pids hierarchies), where the host has them.

The server owns one directory per hierarchy (`stride-sandbox-<pid>`) below its own cgroup and
one sub-directory per child. Only the server (root, outside the child's namespaces) writes here;
the child never sees these files. Without usable cgroups the child falls back to rlimits
(RLIMIT_AS sized above what torch already mapped, RLIMIT_NPROC per child uid).
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass

logger = logging.getLogger("sandbox")

PREFIX = "stride-sandbox-"


@dataclass(frozen=True)
class ChildCgroup:
    paths: tuple[str, ...]


def _read(path: str) -> str:
    with open(path, encoding="ascii") as handle:
        return handle.read()


def _write(path: str, value: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(value)


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(mount point, fs type, super options) of every cgroup mount."""
    found = []
    for line in _read("/proc/self/mountinfo").splitlines():
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            found.append((fields[4], tail[0], set(tail[2].split(","))))
    return found


def _own_paths() -> dict[str, str]:
    """Controller (or '' for the v2 hierarchy) -> this process's cgroup path."""
    paths = {}
    for line in _read("/proc/self/cgroup").splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _delegates(path: str) -> bool:
    """Whether children of the v2 cgroup `path` get the memory and pids controllers."""
    try:
        enabled = set(_read(os.path.join(path, "cgroup.subtree_control")).split())
    except OSError:
        return False
    return {"memory", "pids"} <= enabled


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_dead_servers(parent: str) -> None:
    """rmdir what servers that were killed left behind (empty cgroups only; no user files)."""
    with contextlib.suppress(OSError):
        for name in os.listdir(parent):
            pid = name.removeprefix(PREFIX)
            if not name.startswith(PREFIX) or not pid.isdigit() or _alive(int(pid)):
                continue
            directory = os.path.join(parent, name)
            for entry in os.scandir(directory):
                if entry.is_dir(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.rmdir(entry.path)
            with contextlib.suppress(OSError):
                os.rmdir(directory)


class CgroupManager:
    """Creates, limits, measures and removes per-child cgroups."""

    def __init__(self, version: str, base: dict[str, str]) -> None:
        self.version = version
        self.base = base  # controller -> the server's own directory

    @classmethod
    def detect(cls) -> tuple[CgroupManager | None, str]:
        """Return a manager, or None and the reason cgroups cannot be used."""
        reasons = []
        for attempt in (cls._detect_v2, cls._detect_v1):
            try:
                return attempt(), ""
            except OSError as exc:
                reasons.append(str(exc))
        return None, "; ".join(reasons)

    @classmethod
    def _detect_v2(cls) -> CgroupManager:
        mounts = [m for m in _mounts() if m[1] == "cgroup2"]
        own = _own_paths().get("")
        if not mounts or own is None:
            raise OSError(0, "v2: no unified hierarchy")
        mount = mounts[0][0]
        # Our own cgroup, or failing that its parent: a worker usually sits in a leaf (with
        # processes, so it cannot delegate) next to where the controllers are enabled.
        candidates = [mount + own, os.path.dirname(mount + own.rstrip("/"))]
        parent = next((path for path in candidates if _delegates(path)), None)
        if parent is None or not parent.startswith(mount):
            raise OSError(0, f"v2: memory and pids are not delegated to {mount + own}")
        _remove_dead_servers(parent)
        base = os.path.join(parent, f"{PREFIX}{os.getpid()}")
        os.makedirs(os.path.join(base, "server"), exist_ok=True)
        # "No internal processes": the server moves into a leaf before the controllers can be
        # enabled for its job cgroups.
        _write(os.path.join(base, "server", "cgroup.procs"), str(os.getpid()))
        _write(os.path.join(base, "cgroup.subtree_control"), "+memory +pids")
        return cls("v2", {"": base})

    @classmethod
    def _detect_v1(cls) -> CgroupManager:
        own = _own_paths()
        base = {}
        for controller in ("memory", "pids"):
            mount = next((m[0] for m in _mounts() if m[1] == "cgroup" and controller in m[2]), None)
            if mount is None or controller not in own:
                raise OSError(0, f"v1: no {controller} hierarchy")
            _remove_dead_servers(mount + own[controller])
            directory = os.path.join(mount + own[controller], f"{PREFIX}{os.getpid()}")
            os.makedirs(directory, exist_ok=True)
            base[controller] = directory
        return cls("v1", base)

    def create(self, name: str) -> ChildCgroup:
        paths = []
        for directory in self.base.values():
            path = os.path.join(directory, name)
            os.mkdir(path)
            paths.append(path)
        return ChildCgroup(tuple(paths))

    def attach(self, cgroup: ChildCgroup, pid: int) -> None:
        for path in cgroup.paths:
            _write(os.path.join(path, "cgroup.procs"), str(pid))

    def set_limits(self, cgroup: ChildCgroup, *, memory_bytes: int, max_processes: int) -> None:
        for path in cgroup.paths:
            if self.version == "v2":
                _write(os.path.join(path, "memory.max"), str(memory_bytes))
                with contextlib.suppress(FileNotFoundError):
                    _write(os.path.join(path, "memory.swap.max"), "0")
                _write(os.path.join(path, "pids.max"), str(max_processes))
            elif os.path.exists(os.path.join(path, "memory.limit_in_bytes")):
                self._set_v1_memory(path, memory_bytes)
            else:
                _write(os.path.join(path, "pids.max"), str(max_processes))

    @staticmethod
    def _set_v1_memory(path: str, memory_bytes: int) -> None:
        memory = os.path.join(path, "memory.limit_in_bytes")
        swap = os.path.join(path, "memory.memsw.limit_in_bytes")
        files = [memory, swap] if os.path.exists(swap) else [memory]
        # memsw must stay >= memory at every step: lowering goes memory first, raising swap first.
        try:
            for file in files:
                _write(file, str(memory_bytes))
        except OSError:
            for file in reversed(files):
                _write(file, str(memory_bytes))

    def measure(self, cgroup: ChildCgroup) -> tuple[int | None, bool]:
        """(peak memory in bytes, whether the OOM killer fired) for a finished child."""
        peak, oom = None, False
        for path in cgroup.paths:
            try:
                if self.version == "v2":
                    with contextlib.suppress(FileNotFoundError):
                        peak = int(_read(os.path.join(path, "memory.peak")))
                    events = _read(os.path.join(path, "memory.events"))
                elif os.path.exists(os.path.join(path, "memory.max_usage_in_bytes")):
                    peak = int(_read(os.path.join(path, "memory.max_usage_in_bytes")))
                    events = _read(os.path.join(path, "memory.oom_control"))
                else:
                    continue
            except OSError:
                continue
            for line in events.splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    oom = True
        return peak, oom

    def remove(self, cgroup: ChildCgroup) -> bool:
        """rmdir the child's cgroups (never their contents: cgroupfs has no user files)."""
        removed = True
        for path in cgroup.paths:
            try:
                os.rmdir(path)
            except FileNotFoundError:
                pass
            except OSError:
                removed = False
        return removed

    def close(self) -> None:
        """Remove the server's directories. On v2 the server's own leaf (and so the base) cannot
        go while the server is alive in it; the next server removes them as a dead server's."""
        for directory in self.base.values():
            with contextlib.suppress(OSError):
                os.rmdir(directory)
