"""forward returns a dict of strings instead of a tensor."""
from torch import nn


class Chatty(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x):
        return {"shape": "(1, 1000)", "status": "ok"}


model = Chatty()
