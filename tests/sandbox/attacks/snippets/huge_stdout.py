"""Print without end, hoping to fill the worker's memory or disk with captured output."""
import sys

from torch import nn

line = "A" * 1023 + "\n"
while True:
    sys.stdout.write(line)
model = nn.Conv2d(3, 8, 3)
