"""Covert channel, receiver: look for the sender's files and shared-memory segment."""
import _posixshmem
import json
import os
import time

from torch import nn

observations = {}
deadline = time.monotonic() + 2.5
while time.monotonic() < deadline:
    for path in ("/dev/shm/stride-covert", "/tmp/stride-covert"):
        if os.path.exists(path):
            observations[path] = "RECEIVED"
    try:
        fd = _posixshmem.shm_open("/stride-covert-segment", os.O_RDONLY, 0)
        observations["segment"] = "RECEIVED " + os.read(fd, 5).decode()
        os.close(fd)
    except FileNotFoundError:
        pass
    foreign = [name for name in os.listdir("/dev/shm") if "stride-covert" in name]
    if foreign:
        observations["listing"] = "RECEIVED " + ", ".join(foreign)
    time.sleep(0.05)
received = any(str(value).startswith("RECEIVED") for value in observations.values())
print("REPORT " + json.dumps({"received": received, "observations": observations}), flush=True)
model = nn.Conv2d(3, 8, 3)
