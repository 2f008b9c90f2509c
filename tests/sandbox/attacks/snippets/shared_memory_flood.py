"""Create POSIX shared-memory segments (shm_open, what multiprocessing.shared_memory uses) and
fill them, without end: the pages live in /dev/shm, outside any one process."""
import _posixshmem
import errno
import json
import mmap
import os

from torch import nn

SIZE = 1 << 20
segments = []
error = None
try:
    for index in range(100_000):
        fd = _posixshmem.shm_open(f"/stride-flood-{index}", os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        os.posix_fallocate(fd, 0, SIZE)
        segment = mmap.mmap(fd, SIZE)
        segment[:] = b"\xee" * SIZE
        segments.append(segment)
        os.close(fd)
except OSError as exc:
    error = errno.errorcode.get(exc.errno, str(exc))
print("REPORT " + json.dumps({"segments": len(segments), "error": error}), flush=True)
model = nn.Conv2d(3, 8, 3)
