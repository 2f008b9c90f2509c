"""Covert channel, receiver: watch the shared file with inotify and count the sender's opens."""
import ctypes
import errno
import json
import os
import select
import struct
import time

import torch.utils.hipify.constants as rarely_used
from torch import nn

IN_ACCESS, IN_OPEN, IN_NONBLOCK = 0x1, 0x20, 0o4000
libc = ctypes.CDLL(None, use_errno=True)
observations = {}
events = 0
deadline = time.monotonic() + 2.5
fd = libc.inotify_init1(IN_NONBLOCK)
if fd < 0:
    observations["inotify_init1"] = errno.errorcode.get(ctypes.get_errno(), "?")
else:
    watch = libc.inotify_add_watch(fd, rarely_used.__file__.encode(), IN_ACCESS | IN_OPEN)
    if watch < 0:
        observations["inotify_add_watch"] = errno.errorcode.get(ctypes.get_errno(), "?")
    else:
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.1)[0]:
                data = os.read(fd, 65536)
                offset = 0
                while offset < len(data):
                    _, _, _, length = struct.unpack_from("iIII", data, offset)
                    offset += 16 + length
                    events += 1
# Refused or not, stay for the sender's whole window, so the two jobs really overlap.
while time.monotonic() < deadline:
    time.sleep(0.05)
observations["events"] = events
# Our own import opened the file before the watch existed; any event is someone else's access.
received = events >= 10
if received:
    observations["inotify"] = f"RECEIVED {events} events"
print("REPORT " + json.dumps({"received": received, "observations": observations}), flush=True)
model = nn.Conv2d(3, 8, 3)
