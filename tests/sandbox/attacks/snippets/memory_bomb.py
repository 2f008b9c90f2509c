"""Memory bomb: touch ever more memory (b"x" * n writes every page, unlike calloc)."""
from torch import nn

hoard = []
while True:
    hoard.append(b"x" * (16 * 1024 * 1024))

model = nn.Conv2d(3, 8, 3)
