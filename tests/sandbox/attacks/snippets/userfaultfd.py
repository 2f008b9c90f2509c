"""userfaultfd(): stalls the kernel mid-copy at will, the staple of use-after-free exploits."""
import ctypes
import errno
import json
import os

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
report = {}
for name, flags in (("plain", os.O_CLOEXEC), ("user_mode_only", os.O_CLOEXEC | 1)):
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(323), ctypes.c_long(flags))
    report[name] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else "OK"]
try:
    os.close(os.open("/dev/userfaultfd", os.O_RDWR))
    report["dev_userfaultfd"] = "OPENED"
except OSError as exc:
    report["dev_userfaultfd"] = errno.errorcode.get(exc.errno, str(exc))
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
