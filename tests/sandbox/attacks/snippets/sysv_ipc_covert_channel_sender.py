"""Covert channel, sender: System V shared memory, a message queue and a POSIX message queue."""
import ctypes
import json
import time

from torch import nn

libc = ctypes.CDLL(None, use_errno=True)
KEY, IPC_CREAT = 0x57C0FE, 0o1000
report = {}
shmid = libc.shmget(KEY, 4096, IPC_CREAT | 0o666)
report["shmget"] = [shmid, ctypes.get_errno()]
if shmid >= 0:
    libc.shmat.restype = ctypes.c_void_p
    ctypes.memmove(libc.shmat(shmid, None, 0), b"hello", 5)
report["msgget"] = [libc.msgget(KEY, IPC_CREAT | 0o666), ctypes.get_errno()]
report["semget"] = [libc.semget(KEY, 1, IPC_CREAT | 0o666), ctypes.get_errno()]
try:
    rt = ctypes.CDLL("librt.so.1", use_errno=True)
    report["mq_open"] = [rt.mq_open(b"/stride-covert", 0o100 | 0o2, 0o666, None),
                         ctypes.get_errno()]
except OSError as exc:
    report["mq_open"] = str(exc)
print("REPORT " + json.dumps(report), flush=True)
time.sleep(2.5)
model = nn.Conv2d(3, 8, 3)
