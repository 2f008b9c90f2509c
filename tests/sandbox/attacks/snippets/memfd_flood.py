"""Anonymous shared memory without a filesystem: memfds of 8 MiB each, until something gives."""
import errno
import json
import os

from torch import nn

memfds = []
error = None
try:
    for _ in range(100_000):
        fd = os.memfd_create("stride-flood")
        os.write(fd, b"\xee" * (8 << 20))
        memfds.append(fd)
except (OSError, MemoryError) as exc:
    error = errno.errorcode.get(getattr(exc, "errno", None) or 0, type(exc).__name__)
print("REPORT " + json.dumps({"memfds": len(memfds), "error": error}), flush=True)
model = nn.Conv2d(3, 8, 3)
