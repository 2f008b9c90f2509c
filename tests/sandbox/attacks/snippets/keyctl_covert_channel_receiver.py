"""Covert channel, receiver: look the sender's key up in the keyrings and in /proc/keys."""
import ctypes
import errno
import json
import time

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
observations = {}
deadline = time.monotonic() + 2.5
while time.monotonic() < deadline:
    ctypes.set_errno(0)
    key = libc.syscall(ctypes.c_long(249), b"user", b"stride-covert", None, ctypes.c_long(0))
    if key >= 0:
        buffer = ctypes.create_string_buffer(64)
        libc.syscall(ctypes.c_long(250), ctypes.c_long(11), ctypes.c_long(key), buffer,
                     ctypes.c_long(64))
        observations["request_key"] = "RECEIVED " + buffer.value.decode("utf-8", "replace")
    else:
        observations["request_key"] = errno.errorcode.get(ctypes.get_errno(), "?")
    for path in ("/proc/keys", "/proc/key-users"):
        try:
            with open(path) as handle:
                text = handle.read()
            if "stride-covert" in text:
                observations[path] = "RECEIVED"
            else:
                observations.setdefault(path, f"readable, {len(text.splitlines())} lines")
        except OSError as exc:
            observations[path] = errno.errorcode.get(exc.errno, str(exc))
    time.sleep(0.05)
received = any(str(value).startswith("RECEIVED") for value in observations.values())
print("REPORT " + json.dumps({"received": received, "observations": observations}), flush=True)
model = nn.Conv2d(3, 8, 3)
