"""Covert channel, receiver: dnotify (fcntl F_NOTIFY, the older inotify) on the directory of a
shared read-only file; every access to a file in it, by anyone, raises a signal here."""
import errno
import fcntl
import json
import os
import signal
import time

import torch.utils.hipify.constants as rarely_used
from torch import nn

DN_ACCESS, DN_MULTISHOT = 0x00000001, 0x80000000
events = 0


def count(signum, frame):
    global events
    events += 1


observations = {}
signal.signal(signal.SIGRTMIN, count)
directory = os.open(os.path.dirname(rarely_used.__file__), os.O_RDONLY | os.O_DIRECTORY)
try:
    fcntl.fcntl(directory, fcntl.F_SETSIG, signal.SIGRTMIN)
    fcntl.fcntl(directory, fcntl.F_NOTIFY, DN_ACCESS | DN_MULTISHOT)
    observations["f_notify"] = "OK"
except OSError as exc:
    observations["f_notify"] = errno.errorcode.get(exc.errno, str(exc))
deadline = time.monotonic() + 2.5
while time.monotonic() < deadline:
    time.sleep(0.05)
observations["events"] = events
received = events >= 10
if received:
    observations["dnotify"] = f"RECEIVED {events} signals"
print("REPORT " + json.dumps({"received": received, "observations": observations}), flush=True)
model = nn.Conv2d(3, 8, 3)
