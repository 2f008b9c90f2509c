"""Open descriptors until the kernel says no, then also try to raise the limit and continue."""
import errno
import json
import os
import resource
import socket

from torch import nn

opened = []
error = None
try:
    while True:
        opened.append(os.open("/dev/null", os.O_RDONLY))
        a, b = socket.socketpair()
        opened += [a.detach(), b.detach()]
except OSError as exc:
    error = errno.errorcode.get(exc.errno, str(exc.errno))
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1 << 20, 1 << 20))
    raised = True
except (OSError, ValueError):
    raised = False
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
print("REPORT " + json.dumps(
    {"opened": len(opened), "error": error, "raised": raised, "soft": soft, "hard": hard}
), flush=True)
for fd in opened:
    os.close(fd)
model = nn.Conv2d(3, 8, 3)
