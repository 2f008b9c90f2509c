"""A result of 1.5 million nested lists (3 MB, under the size cap): a recursive parser in the
worker would overflow its stack."""
import os

from torch import nn

depth = 1_500_000
payload = b"[" * depth + b"]" * depth
view = memoryview(payload)
while view:
    view = view[os.write(4, view):]
model = nn.Conv2d(3, 8, 3)
os._exit(0)
