"""An infinite loop in forward (the classic student mistake, or a deliberate hang)."""
from torch import nn


class Spin(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x):
        while True:
            pass
        return self.conv(x)


model = Spin()
