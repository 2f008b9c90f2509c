"""Dereference NULL through ctypes: the interpreter dies with SIGSEGV mid-build."""
import ctypes

from torch import nn

print("about to crash", flush=True)
ctypes.string_at(0)
model = nn.Conv2d(3, 8, 3)
