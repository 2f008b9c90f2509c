"""Covert channel, sender: listen on an abstract unix socket (no file needed) and a datagram one."""
import errno
import json
import socket
import time

from torch import nn

report = {}
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
datagram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    server.bind("\0stride-covert")
    server.listen(8)
    server.settimeout(0.1)
    report["bind"] = "OK"
    datagram.bind("\0stride-covert-dgram")
except OSError as exc:
    report["bind"] = errno.errorcode.get(exc.errno, str(exc))
served = 0
deadline = time.monotonic() + 2.5
while time.monotonic() < deadline:
    try:
        connection, _ = server.accept()
        connection.sendall(b"hello from the other job")
        connection.close()
        served += 1
    except (OSError, socket.timeout):
        pass
report["served"] = served
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
