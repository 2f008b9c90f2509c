"""Memory bomb in forward: allocate (and fill) ever larger tensors inside the model."""
import torch
from torch import nn


class Greedy(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x):
        hoard = []
        while True:
            hoard.append(torch.ones(4 * 1024 * 1024))
        return self.conv(x)


model = Greedy()
