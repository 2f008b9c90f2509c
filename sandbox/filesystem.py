"""The child's root filesystem: a read-only skeleton with read-only binds of what Python needs.

Built inside the child's own mount namespace, so nothing here is visible to the host, and all of
it (including the writable /tmp and /dev/shm) disappears with the namespace when the job's last
process exits. The worker never has to walk, read or delete anything the student could have
written: there is no clean-up step that could follow a planted symlink. (The template the
server builds is only ever mounted read-only, and its files belong to root.)
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from sandbox import syscalls
from sandbox.syscalls import (
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
)

DEVICES = ("null", "zero", "full", "random", "urandom")
LIBRARY_DIRECTORIES = ("/usr/lib", "/usr/lib64", "/usr/local/lib", "/lib", "/lib64", "/lib32")
FILES = ("/etc/ld.so.cache",)
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE_DIRECTORY = os.path.dirname(os.path.abspath(__file__))


# Never bound, whatever sys.path says: scratch space, devices, state of the host and its config.
# (Path prefixes compared as strings, never opened: S108 is about creating files there.)
NEVER_BOUND = ("/tmp", "/var/tmp", "/dev", "/proc", "/sys", "/run", "/etc", "/home", "/root/.ssh")  # noqa: S108


@dataclass(frozen=True)
class RootLayout:
    """What the child's root contains. Planned once in the server, applied in every child.

    `template` is a host directory the server fills once with the skeleton (mount points,
    /etc files, symlinks); each child bind-mounts it read-only as its root in its own mount
    namespace and mounts the binds, a fresh tmpfs /tmp and /dev/shm and a procfs on top.
    """

    template: str
    binds: tuple[str, ...]
    symlinks: tuple[tuple[str, str], ...]
    devices: tuple[str, ...]
    tmp_bytes: int
    shm_bytes: int


def _covered(path: str, chosen: list[str]) -> bool:
    return any(path == parent or path.startswith(parent.rstrip("/") + "/") for parent in chosen)


# Replaced by fresh tmpfs mounts in every child: a bind below them is made after those mounts.
SCRATCH = ("/tmp", "/dev/shm")  # noqa: S108


def _bindable(path: str) -> bool:
    """Whether a directory on the import path may be shown to student code."""
    if path.startswith(PROJECT_ROOT + "/") and ("site-packages" in path or "dist-packages" in path):
        # The project's own virtualenv, even when the checkout lives under /tmp (a CI clone).
        return True
    if path == "/" or _covered(path, list(NEVER_BOUND)):
        return False
    if path == PROJECT_ROOT or PROJECT_ROOT.startswith(path.rstrip("/") + "/"):
        return False  # the project itself, or a directory that contains it
    if path.startswith(PROJECT_ROOT + "/"):
        # Inside the project only installed packages (the virtualenv's site-packages).
        return "site-packages" in path or "dist-packages" in path
    return True


def plan_layout(
    *, template: str, tmp_bytes: int, shm_bytes: int, fresh_interpreter: bool = False
) -> RootLayout:
    """Decide the binds: system libraries, the interpreter's import path, nothing of the project.

    The project directory is excluded even though the virtualenv lives inside it: only the
    site-packages directories themselves are bound, at their own paths, so settings, fixtures and
    database files next to them do not exist in the child. A fresh-interpreter child (the
    benchmark baseline) additionally needs the interpreter's prefixes and this package.
    """
    candidates: list[str] = []
    symlinks: list[tuple[str, str]] = []
    for path in LIBRARY_DIRECTORIES:
        if os.path.islink(path):
            symlinks.append((path, os.readlink(path)))
        elif os.path.isdir(path):
            candidates.append(path)
    for entry in sys.path:
        path = os.path.normpath(os.path.abspath(entry)) if entry else ""
        if path and os.path.isdir(path) and _bindable(path):
            candidates.append(path)
    if fresh_interpreter:
        candidates += [sys.base_prefix, sys.prefix, PACKAGE_DIRECTORY]
    candidates += [path for path in FILES if os.path.isfile(path)]
    chosen: list[str] = []
    # Parents first, so that a directory already bound is not bound again beneath itself.
    for path in sorted(set(candidates), key=lambda p: (p.count("/"), p)):
        if not _covered(path, chosen):
            chosen.append(path)
    devices = [f"/dev/{name}" for name in DEVICES if os.path.exists(f"/dev/{name}")]
    # GPU workers: the driver's device nodes, so a cuda child can initialise CUDA after fork.
    if os.path.isdir("/dev"):
        devices += sorted(
            f"/dev/{name}" for name in os.listdir("/dev") if name.startswith("nvidia")
        )
    return RootLayout(
        template=template,
        binds=tuple(chosen),
        symlinks=tuple(symlinks),
        devices=tuple(devices),
        tmp_bytes=tmp_bytes,
        shm_bytes=shm_bytes,
    )


def _inside(root: str, path: str) -> str:
    return root + path


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def build_template(layout: RootLayout, uids: range) -> None:
    """Create the skeleton root on the host, once per server (children only mount on it)."""
    root = layout.template
    os.makedirs(root, mode=0o755)
    for path in (*layout.binds, *layout.devices):
        if _covered(path, list(SCRATCH)):
            continue  # its mount point is made inside the child's fresh tmpfs
        target = _inside(root, path)
        if os.path.isdir(path):
            os.makedirs(target, mode=0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            _write(target, "")
    for path, target in layout.symlinks:
        os.symlink(target, _inside(root, path))
    # Mount points inside the template, not the host's directories of the same name.
    for directory in ("/tmp", "/dev/shm", "/proc", "/etc"):  # noqa: S108
        os.makedirs(_inside(root, directory), mode=0o755, exist_ok=True)
    os.symlink("/proc/self/fd", _inside(root, "/dev/fd"))
    # Every uid a child may get has a name, so getpass, expanduser and friends behave.
    _write(
        _inside(root, "/etc/passwd"),
        "root:x:0:0::/:/nonexistent\n"
        + "".join(f"sandbox:x:{uid}:{uid}::/tmp:/nonexistent\n" for uid in uids),
    )
    _write(
        _inside(root, "/etc/group"),
        "root:x:0:\n" + "".join(f"sandbox:x:{uid}:\n" for uid in uids),
    )
    _write(_inside(root, "/etc/hostname"), "sandbox\n")


def _bind(root: str, source: str, extra_flags: int) -> None:
    target = _inside(root, source)
    syscalls.mount(source, target, None, MS_BIND)
    # A bind mount ignores MS_RDONLY on creation; read-only takes a remount of the bind.
    syscalls.mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | extra_flags)


def _tmpfs(target: str, size: int, flags: int, mode: str) -> None:
    syscalls.mount("tmpfs", target, "tmpfs", flags, f"size={size},nr_inodes=16384,mode={mode}")


def build_root(layout: RootLayout) -> None:
    """Assemble the new root over the template and pivot into it. Needs CAP_SYS_ADMIN."""
    root = layout.template
    # Nothing mounted below may propagate back to the host's mount namespace.
    syscalls.mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Bound onto itself, the template becomes a mount point of this namespace alone.
    syscalls.mount(root, root, None, MS_BIND)
    under_scratch = [path for path in layout.binds if _covered(path, list(SCRATCH))]
    for path in layout.binds:
        if path not in under_scratch:
            _bind(root, path, MS_NOSUID | MS_NODEV)
    for device in layout.devices:
        _bind(root, device, MS_NOSUID | MS_NOEXEC)
    private = MS_NOSUID | MS_NODEV | MS_NOEXEC
    # Paths inside the new root: fresh size-capped tmpfs mounts, never the host's directories.
    _tmpfs(_inside(root, "/tmp"), layout.tmp_bytes, private, "1777")  # noqa: S108
    _tmpfs(_inside(root, "/dev/shm"), layout.shm_bytes, private, "1777")  # noqa: S108
    # A virtualenv under /tmp (a checkout there) is bound on top of the fresh tmpfs, read-only,
    # its parent directories root-owned so the job cannot replace them.
    for path in under_scratch:
        os.makedirs(_inside(root, path), mode=0o755, exist_ok=True)
        _bind(root, path, MS_NOSUID | MS_NODEV)
    # A fresh procfs for the child's pid namespace: it lists the job's processes only.
    syscalls.mount("proc", _inside(root, "/proc"), "proc", private)
    syscalls.mount(None, root, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(root)
    # pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
    # no path back to the host's filesystem (chroot alone could be escaped with a second chroot).
    syscalls.pivot_root(".", ".")
    syscalls.umount2(".", syscalls.MNT_DETACH)
    os.chdir("/")
