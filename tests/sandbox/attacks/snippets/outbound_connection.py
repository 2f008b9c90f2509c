"""Phone home: TCP and UDP to the internet and to every loopback service of the host."""
import errno
import json
import socket

from torch import nn

TCP = [("1.1.1.1", 443), ("8.8.8.8", 53), ("93.184.216.34", 80), ("169.254.169.254", 80),
       ("127.0.0.1", 5672), ("127.0.0.1", 3306), ("127.0.0.1", 4222), ("127.0.0.1", 1883),
       ("127.0.0.1", 2024), ("127.0.0.1", 22), ("127.0.0.1", 80), ("127.0.0.1", 8000)]
report = {"tcp": {}, "udp": {}}
try:
    report["interfaces"] = socket.if_nameindex()
except OSError as exc:
    report["interfaces"] = errno.errorcode.get(exc.errno, str(exc))
for address in TCP:
    try:
        with socket.create_connection(address, timeout=0.5) as sock:
            report["tcp"][str(address)] = "CONNECTED " + repr(sock.getpeername())
    except OSError as exc:
        report["tcp"][str(address)] = (
            errno.errorcode.get(exc.errno, str(exc)) if exc.errno else type(exc).__name__
        )
for address in (("8.8.8.8", 53), ("127.0.0.1", 514), ("255.255.255.255", 9)):
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            report["udp"][str(address)] = f"SENT {sock.sendto(b'stride-exfil', address)}"
    except OSError as exc:
        report["udp"][str(address)] = errno.errorcode.get(exc.errno, str(exc))
try:
    with open("/proc/net/dev") as handle:
        report["proc_net_dev"] = handle.read()
except OSError as exc:
    report["proc_net_dev"] = type(exc).__name__
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
