"""Freeze the parent (SIGSTOP to os.getppid()) and every pid we can name, so jobs hang."""
import errno
import json
import os
import signal

from torch import nn

report = {"pid": os.getpid(), "ppid": os.getppid(), "stopped": []}
targets = [os.getppid(), -1] + list(range(2, 32768))
for pid in targets:
    if pid in (0, os.getpid()):
        continue  # 0 is our own process group: stopping ourselves proves nothing
    try:
        os.kill(pid, signal.SIGSTOP)
        report["stopped"].append(pid)
    except OSError as exc:
        report.setdefault("errors", {}).setdefault(errno.errorcode.get(exc.errno, "?"), 0)
        report["errors"][errno.errorcode.get(exc.errno, "?")] += 1
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
