"""A sparse 1 TiB file: costs no blocks, but anything that copies or scans it would drown."""
import errno
import json
import os

from torch import nn

report = {}
for path in ("/tmp/huge.bin", "/dev/shm/huge.bin"):
    try:
        with open(path, "wb") as handle:
            handle.seek(1 << 40)
            handle.write(b"!")
        report[path] = os.stat(path).st_size
    except OSError as exc:
        report[path] = errno.errorcode.get(exc.errno, str(exc.errno))
    try:
        fd = os.open(path + ".t", os.O_CREAT | os.O_WRONLY, 0o600)
        os.ftruncate(fd, 1 << 40)
        report[path + ".t"] = os.fstat(fd).st_size
    except OSError as exc:
        report[path + ".t"] = errno.errorcode.get(exc.errno, str(exc.errno))
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
