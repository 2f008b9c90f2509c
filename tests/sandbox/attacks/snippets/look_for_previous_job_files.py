"""Run right after leave_files_for_next_job.py: does anything of that job remain?"""
import builtins
import ctypes
import json
import os

from torch import nn

found = {}
for path in ("/tmp/stride-leftover", "/dev/shm/stride-leftover", "/stride-leftover",
             os.path.join(os.path.dirname(os.__file__), "stride_leftover.py"),
             os.path.join(os.path.dirname(nn.__file__), "stride_leftover.pth"),
             os.path.expanduser("~/stride-leftover")):
    if os.path.exists(path):
        with open(path, "rb") as handle:
            found[path] = handle.read().decode("utf-8", "replace")
libc = ctypes.CDLL(None, use_errno=True)
shmid = libc.shmget(0x5717E, 0, 0)
if shmid >= 0:
    libc.shmat.restype = ctypes.c_void_p
    found["sysv_shm"] = ctypes.string_at(libc.shmat(shmid, None, 0), 44).decode("utf-8", "replace")
if hasattr(builtins, "STRIDE_LEFTOVER"):
    found["builtins"] = builtins.STRIDE_LEFTOVER
report = {"found": found, "tmp": sorted(os.listdir("/tmp")), "shm": sorted(os.listdir("/dev/shm"))}
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
