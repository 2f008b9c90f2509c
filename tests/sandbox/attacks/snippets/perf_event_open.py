"""perf_event_open(): CPU counters of every process on a core (side channels, kernel bugs)."""
import ctypes
import errno
import json

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
attr = (ctypes.c_uint32 * 32)()
attr[0] = 0  # PERF_TYPE_HARDWARE
attr[1] = 128  # size
report = {}
for name, pid, cpu in (("self_any_cpu", 0, -1), ("all_processes_cpu0", -1, 0), ("init", 1, -1)):
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(298), ctypes.byref(attr), ctypes.c_long(pid),
                          ctypes.c_long(cpu), ctypes.c_long(-1), ctypes.c_long(0))
    report[name] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else "OK"]
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
