"""Create empty files until the tmp filesystem runs out of inodes."""
import errno
import json
import os

from torch import nn

created = 0
error = None
try:
    for index in range(1_000_000):
        os.close(os.open(f"/tmp/inode-{index}", os.O_CREAT | os.O_WRONLY, 0o600))
        created += 1
except OSError as exc:
    error = errno.errorcode.get(exc.errno, str(exc.errno))
print("REPORT " + json.dumps({"created": created, "error": error}), flush=True)
model = nn.Conv2d(3, 8, 3)
