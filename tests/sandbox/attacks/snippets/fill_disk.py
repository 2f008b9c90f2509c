"""Fill every writable place with data, file after file, and report how much the kernel took."""
import errno
import json
import os

from torch import nn

report = {"written": {}, "errors": {}}
chunk = b"\xab" * (1024 * 1024)
for directory in ("/tmp", "/dev/shm", "/", "/work", "/usr", "/etc", "/proc", "."):
    total = 0
    error = None
    for index in range(10_000):
        try:
            with open(os.path.join(directory, f"fill-{index}.bin"), "wb") as handle:
                for _ in range(64):
                    handle.write(chunk)
                    handle.flush()
                    total += len(chunk)
        except OSError as exc:
            error = errno.errorcode.get(exc.errno, str(exc.errno))
            break
    report["written"][directory] = total
    report["errors"][directory] = error
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
