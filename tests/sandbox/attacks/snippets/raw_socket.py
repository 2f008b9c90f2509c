"""Raw and packet sockets: sniff or forge traffic of the host."""
import errno
import json
import socket

from torch import nn

ATTEMPTS = {
    "inet_raw_icmp": (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
    "inet_raw_tcp": (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP),
    "inet6_raw": (socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6),
    "packet_raw": (socket.AF_PACKET, socket.SOCK_RAW, 0x0300),
    "packet_dgram": (socket.AF_PACKET, socket.SOCK_DGRAM, 0x0300),
    "icmp_ping_socket": (socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP),
    "inet_stream": (socket.AF_INET, socket.SOCK_STREAM, 0),
    "inet_dgram": (socket.AF_INET, socket.SOCK_DGRAM, 0),
}
report = {}
for name, arguments in ATTEMPTS.items():
    try:
        socket.socket(*arguments).close()
        report[name] = "OPENED"
    except OSError as exc:
        report[name] = errno.errorcode.get(exc.errno, str(exc))
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
