"""Talk to the Celery broker: Redis on loopback (v4 and v6) and on the usual unix sockets.

If a connection opens, it names itself and writes a marker key the test looks for from outside.
"""
import errno
import json
import socket

from torch import nn
import torch as _torch_for_path
PROJECT = _torch_for_path.__file__.split("/.venv/")[0]

COMMANDS = (
    b"CLIENT SETNAME stride-sandbox-attack\r\n"
    b"SET stride-sandbox-attack-marker pwned\r\n"
    b"PING\r\n"
    b"KEYS *\r\n"
)
TARGETS = [
    (socket.AF_INET, ("127.0.0.1", 6379)),
    (socket.AF_INET, ("127.0.1.1", 6379)),
    (socket.AF_INET, ("0.0.0.0", 6379)),
    (socket.AF_INET6, ("::1", 6379)),
    (socket.AF_UNIX, PROJECT + "/var/redis.sock"),
    (socket.AF_UNIX, "/var/run/redis/redis-server.sock"),
    (socket.AF_UNIX, "/run/redis/redis.sock"),
    (socket.AF_UNIX, "/tmp/redis.sock"),
]
report = {}
for family, address in TARGETS:
    key = f"{family.name} {address}"
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(address)
            sock.sendall(COMMANDS)
            report[key] = "CONNECTED: " + sock.recv(4096).decode("utf-8", "replace")
    except OSError as exc:
        report[key] = errno.errorcode.get(exc.errno, str(exc)) if exc.errno else str(exc)
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
