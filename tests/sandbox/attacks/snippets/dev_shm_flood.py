"""Flood /dev/shm (shared memory of the host, if it were shared) until it is full."""
import errno
import json
import os

from torch import nn

total = 0
error = None
chunk = b"\xcd" * (1024 * 1024)
try:
    for index in range(100_000):
        with open(f"/dev/shm/flood-{index}", "wb") as handle:
            handle.write(chunk)
            handle.flush()
        total += len(chunk)
except OSError as exc:
    error = errno.errorcode.get(exc.errno, str(exc.errno))
print("REPORT " + json.dumps({"written": total, "error": error}), flush=True)
model = nn.Conv2d(3, 8, 3)
