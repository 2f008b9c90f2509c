"""Resolve names (exfiltration over DNS needs only a resolver): libc, then raw UDP queries."""
import errno
import json
import socket
import struct

from torch import nn

report = {"getaddrinfo": {}, "udp": {}}
for name in ("example.com", "stride-exfil-canary.example.com", "localhost", "redis", "postgres"):
    try:
        report["getaddrinfo"][name] = sorted({info[4][0] for info in socket.getaddrinfo(name, 80)})
    except OSError as exc:
        report["getaddrinfo"][name] = f"{type(exc).__name__}: {exc}"
query = struct.pack(">HHHHHH", 0x5712, 0x0100, 1, 0, 0, 0)
query += b"".join(bytes([len(p)]) + p.encode() for p in "example.com".split(".")) + b"\0"
query += struct.pack(">HH", 1, 1)
for server in ("8.8.8.8", "1.1.1.1", "127.0.0.53", "127.0.0.11", "10.0.2.3"):
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.5)
            sock.sendto(query, (server, 53))
            report["udp"][server] = "ANSWER " + repr(sock.recv(512))
    except OSError as exc:
        report["udp"][server] = errno.errorcode.get(exc.errno, str(exc)) if exc.errno else str(exc)
try:
    with open("/etc/resolv.conf") as handle:
        report["resolv.conf"] = handle.read()
except OSError as exc:
    report["resolv.conf"] = type(exc).__name__
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
