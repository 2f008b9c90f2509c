"""Covert channel, sender: store a key in every kernel keyring we can name."""
import ctypes
import errno
import json
import time

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
KEYRINGS = {"thread": -1, "process": -2, "session": -3, "user": -4, "user_session": -5}
payload = b"stride covert payload"
report = {}
for name, ring in KEYRINGS.items():
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(248), b"user", b"stride-covert", payload,
                          ctypes.c_long(len(payload)), ctypes.c_long(ring))
    report[name] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else "OK"]
ctypes.set_errno(0)
result = libc.syscall(ctypes.c_long(250), ctypes.c_long(1), b"stride-covert-ring")  # JOIN_SESSION_KEYRING
report["join_session_keyring"] = [result, errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else "OK"]
print("REPORT " + json.dumps(report), flush=True)
time.sleep(2.5)
model = nn.Conv2d(3, 8, 3)
