"""Spawn as many threads as the limits allow, then have all of them burn CPU in torch kernels
(which release the GIL), so every core of the host is busy at once."""
import threading

import torch
from torch import nn

go = threading.Event()


def burn():
    go.wait()
    a = torch.randn(256, 256)
    while True:
        a = torch.mm(a, a).clamp_(-1, 1)


started = 0
for _ in range(1000):
    try:
        threading.Thread(target=burn, daemon=True).start()
        started += 1
    except RuntimeError:
        break
print("threads started:", started, flush=True)
go.set()
burn()
model = nn.Conv2d(3, 8, 3)
