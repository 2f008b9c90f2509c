"""Starve the host: real-time FIFO scheduling at top priority, negative nice, RT I/O class."""
import ctypes
import errno
import json
import os

from torch import nn

report = {}
for name, call in (
    ("sched_fifo", lambda: os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(99))),
    ("sched_rr", lambda: os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))),
    ("nice_minus_20", lambda: os.setpriority(os.PRIO_PROCESS, 0, -20)),
    ("nice_down", lambda: os.nice(-1)),
):
    try:
        call()
        report[name] = "OK"
    except OSError as exc:
        report[name] = errno.errorcode.get(exc.errno, str(exc))
libc = ctypes.CDLL(None, use_errno=True)
IOPRIO_CLASS_RT = 1
ctypes.set_errno(0)
result = libc.syscall(ctypes.c_long(251), ctypes.c_long(1), ctypes.c_long(0),
                      ctypes.c_long((IOPRIO_CLASS_RT << 13) | 0))  # ioprio_set
report["ioprio_rt"] = "OK" if result == 0 else errno.errorcode.get(ctypes.get_errno(), "?")
report["policy"] = os.sched_getscheduler(0)
report["nice"] = os.getpriority(os.PRIO_PROCESS, 0)
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
