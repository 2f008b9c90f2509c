"""Make torch lie about shapes: Conv2d, F.conv2d, the sandbox's input maker and its tracer
all patched. The lie must stay inside this job: the next job runs a fresh fork of the server."""
import sys

import torch
import torch.nn.functional as F
from torch import nn

real_conv2d = F.conv2d


def lying_conv2d(*args, **kwargs):
    return torch.zeros(1, 1000)


def lying_forward(self, x):
    return torch.zeros(1, 1000)


F.conv2d = lying_conv2d
torch.conv2d = lying_conv2d
nn.Conv2d.forward = lying_forward
nn.Conv2d._conv_forward = lambda self, x, weight, bias: torch.zeros(1, 1000)
for name, module in list(sys.modules.items()):
    if name.startswith("sandbox"):
        if hasattr(module, "shapes_of"):
            module.shapes_of = lambda *args, **kwargs: [[1, 1000]]
        if hasattr(module, "_make_input"):
            module._make_input = lambda *args, **kwargs: torch.zeros(1, 1000)
model = nn.Conv2d(3, 8, 3)
