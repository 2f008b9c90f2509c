"""ptrace family: trace a child we fork ourselves, peek its memory, compare kernel objects."""
import ctypes
import errno
import json
import os
import time

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.syscall.restype = ctypes.c_long


def outcome(result):
    return [result, errno.errorcode.get(ctypes.get_errno(), "0") if result == -1 else "OK"]


child = os.fork()
if child == 0:
    time.sleep(30)
    os._exit(0)
report = {}
for name, request, target in (("attach_child", 16, child), ("seize_child", 0x4206, child),
                              ("traceme", 0, 0), ("peekdata_child", 2, child)):
    ctypes.set_errno(0)
    report[name] = outcome(libc.ptrace(request, target, None, None))
ctypes.set_errno(0)
report["kcmp"] = outcome(libc.syscall(ctypes.c_long(312), ctypes.c_long(os.getpid()),
                                      ctypes.c_long(child), ctypes.c_long(0), ctypes.c_long(0),
                                      ctypes.c_long(0)))
pidfd = os.pidfd_open(child)
ctypes.set_errno(0)
report["pidfd_getfd"] = outcome(libc.syscall(ctypes.c_long(438), ctypes.c_long(pidfd),
                                             ctypes.c_long(1), ctypes.c_long(0)))
os.kill(child, 9)
os.waitpid(child, 0)
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
