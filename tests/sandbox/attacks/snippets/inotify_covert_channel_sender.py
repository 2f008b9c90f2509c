"""Covert channel, sender: open and read a shared read-only file in a rhythm (no lock, no write:
inotify watches the inode, whatever mount namespace the access comes from)."""
import json
import time

import torch.utils.hipify.constants as rarely_used
from torch import nn

opened = 0
deadline = time.monotonic() + 2.5
while time.monotonic() < deadline:
    with open(rarely_used.__file__, "rb") as handle:
        handle.read(1)
    opened += 1
    time.sleep(0.01)
print("REPORT " + json.dumps({"opened": opened}), flush=True)
model = nn.Conv2d(3, 8, 3)
