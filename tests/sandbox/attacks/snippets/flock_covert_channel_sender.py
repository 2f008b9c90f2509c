"""Covert channel, sender: lock files both jobs can see (read-only binds of the same inodes).

Runs concurrently with flock_covert_channel_receiver.py; a lock the receiver can observe is one
bit of information crossing between two students' jobs.
"""
import errno
import fcntl
import json
import os
import struct
import time

import torch
from torch import nn

SHARED = [torch.__file__, "/etc/ld.so.cache", os.__file__, "/lib64/ld-linux-x86-64.so.2"]
report = {}
handles = []
for path in SHARED:
    fd = os.open(path, os.O_RDONLY)
    handles.append(fd)
    for name, lock in (
        ("flock", lambda: fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)),
        ("posix", lambda: fcntl.fcntl(fd, fcntl.F_SETLK, struct.pack("hhqqi", 0, 0, 0, 0, 0))),
        ("ofd", lambda: fcntl.fcntl(fd, 37, struct.pack("hhqqi", 0, 0, 0, 0, 0))),
    ):
        try:
            lock()
            report[f"{name} {path}"] = "LOCKED"
        except OSError as exc:
            report[f"{name} {path}"] = errno.errorcode.get(exc.errno, str(exc))
print("REPORT " + json.dumps(report), flush=True)
time.sleep(2.5)
model = nn.Conv2d(3, 8, 3)
