"""Raise an exception with a huge name, a __str__ that raises, and a multi-megabyte message."""
from torch import nn


class Nasty(Exception):
    def __str__(self):
        raise RuntimeError("you cannot print me")


Huge = type("E" * 100_000, (Exception,), {})


class Raiser(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x):
        try:
            raise Nasty()
        except Nasty as first:
            raise Huge("m" * 5_000_000) from first


model = Raiser()
