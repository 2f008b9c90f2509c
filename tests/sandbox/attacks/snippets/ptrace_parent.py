"""Attach to the parent with ptrace (then read its memory: the next job's code, its secrets)."""
import ctypes
import errno
import json
import os

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
PTRACE_TRACEME, PTRACE_ATTACH, PTRACE_SEIZE = 0, 16, 0x4206
report = {"ppid": os.getppid()}
for name, request, pid in (
    ("attach_parent", PTRACE_ATTACH, os.getppid()),
    ("seize_parent", PTRACE_SEIZE, os.getppid()),
    ("attach_init", PTRACE_ATTACH, 1),
    ("traceme", PTRACE_TRACEME, 0),
):
    ctypes.set_errno(0)
    result = libc.ptrace(request, pid, None, None)
    report[name] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result == -1 else "OK"]
# process_vm_readv is ptrace by another name.
iovec = (ctypes.c_char * 16)()
result = libc.syscall(310, os.getppid() or 1, ctypes.byref(iovec), 1, ctypes.byref(iovec), 1, 0)
report["process_vm_readv"] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result == -1 else "OK"]
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
