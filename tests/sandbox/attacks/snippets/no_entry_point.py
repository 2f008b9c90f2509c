"""Defines a network under the wrong name: there is no `model` in this snippet."""
from torch import nn

net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
