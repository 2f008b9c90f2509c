"""Covert channel, sender: files in /dev/shm and /tmp and a POSIX shared-memory segment: the
places two processes on one host normally meet."""
import _posixshmem
import errno
import json
import os
import time

from torch import nn

report = {}
for path in ("/dev/shm/stride-covert", "/tmp/stride-covert"):
    try:
        with open(path, "w") as handle:
            handle.write("hello from the other job")
        report[path] = "WRITTEN"
    except OSError as exc:
        report[path] = errno.errorcode.get(exc.errno, str(exc))
try:
    fd = _posixshmem.shm_open("/stride-covert-segment", os.O_CREAT | os.O_RDWR, 0o666)
    os.write(fd, b"hello")
    report["segment"] = "CREATED"
except OSError as exc:
    report["segment"] = errno.errorcode.get(exc.errno, str(exc))
print("REPORT " + json.dumps(report), flush=True)
time.sleep(2.5)
model = nn.Conv2d(3, 8, 3)
