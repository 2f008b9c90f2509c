"""Covert channel, receiver: watch for the sender's locks on the shared read-only files."""
import errno
import fcntl
import json
import os
import struct
import time

import torch
from torch import nn

SHARED = [torch.__file__, "/etc/ld.so.cache", os.__file__, "/lib64/ld-linux-x86-64.so.2"]
inodes = {os.stat(path).st_ino for path in SHARED}
observations = {}
deadline = time.monotonic() + 2.5
while time.monotonic() < deadline:
    for path in SHARED:
        fd = os.open(path, os.O_RDONLY)
        try:
            # A write lock conflicts with any lock the sender holds (F_GETLK reports it).
            probe = struct.pack("hhqqi", fcntl.F_WRLCK, 0, 0, 0, 0)
            answer = fcntl.fcntl(fd, fcntl.F_GETLK, probe)
            if struct.unpack("hhqqi", answer)[0] != fcntl.F_UNLCK:
                observations[f"getlk {path}"] = "RECEIVED"
        except OSError as exc:
            observations.setdefault(f"getlk {path}", errno.errorcode.get(exc.errno, str(exc)))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno == errno.EWOULDBLOCK:
                observations[f"flock {path}"] = "RECEIVED"
            else:
                observations.setdefault(f"flock {path}", errno.errorcode.get(exc.errno, str(exc)))
        os.close(fd)
    try:
        with open("/proc/locks") as handle:
            for line in handle:
                fields = line.split()
                inode = next((f for f in fields if f.count(":") == 2), None)
                if inode and int(inode.rsplit(":", 1)[1]) in inodes:
                    observations["proc_locks"] = "RECEIVED " + line.strip()
    except OSError as exc:
        observations["proc_locks"] = errno.errorcode.get(exc.errno, str(exc))
    time.sleep(0.05)
received = any(str(value).startswith("RECEIVED") for value in observations.values())
print("REPORT " + json.dumps({"received": received, "observations": observations}), flush=True)
model = nn.Conv2d(3, 8, 3)
