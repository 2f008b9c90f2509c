"""Lift the recursion limit and recurse in forward until the C stack overflows."""
import sys

from torch import nn

sys.setrecursionlimit(10**8)


class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def dive(self, depth):
        return self.dive(depth + 1) + 1

    def forward(self, x):
        self.dive(0)
        return self.conv(x)


model = Deep()
