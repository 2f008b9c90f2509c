"""Mount things: a fresh proc, a tmpfs over /, a bind of / writable, the new mount API."""
import ctypes
import errno
import json
import os

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_SHARED = 0x1, 0x20, 0x1000, 0x4000, 1 << 20
os.makedirs("/tmp/m", exist_ok=True)


def outcome(result):
    return [result, errno.errorcode.get(ctypes.get_errno(), "0") if result == -1 else "OK"]


def mount(source, target, fstype, flags, data=None):
    ctypes.set_errno(0)
    return outcome(libc.mount(source, target, fstype, ctypes.c_ulong(flags), data))


report = {
    "proc": mount(b"proc", b"/tmp/m", b"proc", 0),
    "tmpfs": mount(b"tmpfs", b"/tmp/m", b"tmpfs", 0),
    "bind_root": mount(b"/", b"/tmp/m", None, MS_BIND | MS_REC),
    "remount_root_rw": mount(None, b"/", None, MS_REMOUNT),
    "remount_usr_rw": mount(None, b"/usr/lib", None, MS_REMOUNT | MS_BIND),
    "make_shared": mount(None, b"/", None, MS_REC | MS_SHARED),
    "cgroup": mount(b"cgroup", b"/tmp/m", b"cgroup2", 0),
}
ctypes.set_errno(0)
report["umount_proc"] = outcome(libc.umount2(b"/proc", 2))
ctypes.set_errno(0)
report["umount_tmp"] = outcome(libc.umount2(b"/tmp", 2))
ctypes.set_errno(0)
report["fsopen"] = outcome(libc.syscall(ctypes.c_long(430), b"tmpfs", ctypes.c_long(0)))
ctypes.set_errno(0)
report["open_tree"] = outcome(
    libc.syscall(ctypes.c_long(428), ctypes.c_long(-100), b"/", ctypes.c_long(1 | 0x8000))
)
ctypes.set_errno(0)
report["pivot_root"] = outcome(libc.syscall(ctypes.c_long(155), b"/tmp", b"/tmp/m"))
report["root_writable"] = os.access("/", os.W_OK)
report["usr_writable"] = os.access("/usr/lib", os.W_OK)
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
