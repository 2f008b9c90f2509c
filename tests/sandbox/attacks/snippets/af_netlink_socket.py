"""Exotic socket families with a history of kernel bugs: netlink, AF_ALG, vsock, XDP, ..."""
import errno
import json
import socket

from torch import nn

ATTEMPTS = {
    "netlink_route": (socket.AF_NETLINK, socket.SOCK_RAW, 0),
    "netlink_audit": (socket.AF_NETLINK, socket.SOCK_RAW, 9),
    "netlink_uevent": (socket.AF_NETLINK, socket.SOCK_DGRAM, 15),
    "netlink_netfilter": (socket.AF_NETLINK, socket.SOCK_RAW, 12),
    "alg": (38, socket.SOCK_SEQPACKET, 0),
    "vsock": (40, socket.SOCK_STREAM, 0),
    "xdp": (44, socket.SOCK_RAW, 0),
    "bluetooth": (31, socket.SOCK_RAW, 1),
    "tipc": (30, socket.SOCK_RDM, 0),
    "rds": (21, socket.SOCK_SEQPACKET, 0),
    "key": (15, socket.SOCK_RAW, 2),
}
report = {}
for name, (family, kind, protocol) in ATTEMPTS.items():
    try:
        socket.socket(family, kind, protocol).close()
        report[name] = "OPENED"
    except OSError as exc:
        report[name] = errno.errorcode.get(exc.errno, str(exc))
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
