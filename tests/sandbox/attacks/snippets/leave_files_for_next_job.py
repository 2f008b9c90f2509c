"""Leave traces for the next job (or the next student): files, a shm segment, a SysV segment."""
import ctypes
import errno
import json
import os
import sys

from torch import nn

MESSAGE = b"stride-leftover: hello from the previous job"
report = {}
for path in ("/tmp/stride-leftover", "/dev/shm/stride-leftover", "/stride-leftover",
             os.path.join(os.path.dirname(os.__file__), "stride_leftover.py"),
             os.path.join(os.path.dirname(nn.__file__), "stride_leftover.pth"),
             os.path.expanduser("~/stride-leftover"), "/proc/self/cwd/stride-leftover"):
    try:
        with open(path, "wb") as handle:
            handle.write(MESSAGE)
        report[path] = "WRITTEN"
    except OSError as exc:
        report[path] = errno.errorcode.get(exc.errno, str(exc))
libc = ctypes.CDLL(None, use_errno=True)
shmid = libc.shmget(0x5717E, 4096, 0o1000 | 0o666)  # IPC_CREAT
report["sysv_shm"] = shmid
if shmid >= 0:
    libc.shmat.restype = ctypes.c_void_p
    address = libc.shmat(shmid, None, 0)
    ctypes.memmove(address, MESSAGE, len(MESSAGE))
sys.modules["builtins"].STRIDE_LEFTOVER = MESSAGE.decode()
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
