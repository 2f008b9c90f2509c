"""Covert channel, receiver: look for the sender's System V and POSIX IPC objects."""
import ctypes
import json
import time

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
KEY = 0x57C0FE
observations = {}
deadline = time.monotonic() + 2.5
while time.monotonic() < deadline:
    for name, found in (("shm", libc.shmget(KEY, 0, 0)), ("msg", libc.msgget(KEY, 0)),
                        ("sem", libc.semget(KEY, 0, 0))):
        if found >= 0:
            observations[name] = "RECEIVED"
    for path in ("/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem"):
        with open(path) as handle:
            if str(KEY) in handle.read():
                observations[path] = "RECEIVED"
    try:
        rt = ctypes.CDLL("librt.so.1", use_errno=True)
        if rt.mq_open(b"/stride-covert", 0) >= 0:
            observations["mq"] = "RECEIVED"
    except OSError:
        pass
    time.sleep(0.05)
received = any(str(value).startswith("RECEIVED") for value in observations.values())
print("REPORT " + json.dumps({"received": received, "observations": observations}), flush=True)
model = nn.Conv2d(3, 8, 3)
