"""Covert channel, sender for dnotify_covert_channel_receiver.py: read a shared read-only file in
a rhythm. No lock, no write: only the access itself is the signal."""
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
