"""Talk to PostgreSQL: a v3 startup packet as the superuser, over TCP and the unix sockets."""
import errno
import json
import socket
import struct

from torch import nn


def startup_packet():
    body = struct.pack(">I", 196608)  # protocol 3.0
    for key, value in (("user", "postgres"), ("database", "postgres"),
                       ("application_name", "stride-sandbox-attack")):
        body += key.encode() + b"\0" + value.encode() + b"\0"
    body += b"\0"
    return struct.pack(">I", len(body) + 4) + body


TARGETS = [
    (socket.AF_INET, ("127.0.0.1", 5432)),
    (socket.AF_INET6, ("::1", 5432)),
    (socket.AF_INET, ("127.0.0.1", 3306)),
    (socket.AF_UNIX, "/var/run/postgresql/.s.PGSQL.5432"),
    (socket.AF_UNIX, "/run/postgresql/.s.PGSQL.5432"),
    (socket.AF_UNIX, "/tmp/.s.PGSQL.5432"),
]
report = {}
for family, address in TARGETS:
    key = f"{family.name} {address}"
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(address)
            sock.sendall(startup_packet())
            report[key] = "CONNECTED: " + repr(sock.recv(4096))
    except OSError as exc:
        report[key] = errno.errorcode.get(exc.errno, str(exc)) if exc.errno else str(exc)
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
