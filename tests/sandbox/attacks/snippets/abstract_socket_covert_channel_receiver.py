"""Covert channel, receiver: connect to the sender's abstract unix sockets, read /proc/net/unix."""
import errno
import json
import socket
import time

from torch import nn

observations = {}
deadline = time.monotonic() + 2.5
while time.monotonic() < deadline:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(0.5)
            client.connect("\0stride-covert")
            observations["stream"] = "RECEIVED " + client.recv(100).decode()
    except OSError as exc:
        observations.setdefault("stream", errno.errorcode.get(exc.errno, str(exc)))
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as client:
            client.sendto(b"ping", "\0stride-covert-dgram")
            observations["dgram"] = "RECEIVED (sent to a live socket)"
    except OSError as exc:
        observations.setdefault("dgram", errno.errorcode.get(exc.errno, str(exc)))
    with open("/proc/net/unix") as handle:
        if "stride-covert" in handle.read():
            observations["proc_net_unix"] = "RECEIVED"
    time.sleep(0.05)
received = any(str(value).startswith("RECEIVED") for value in observations.values())
print("REPORT " + json.dumps({"received": received, "observations": observations}), flush=True)
model = nn.Conv2d(3, 8, 3)
