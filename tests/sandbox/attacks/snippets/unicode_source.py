# -*- coding: utf-8 -*-
"""Unicode everywhere: identifiers, strings, comments, bidi overrides and zero-width characters."""
from torch import nn

# ‮ a right-to-left override in a comment: the reviewer sees something else ⁦⁩
größe = 3
通道 = 8
ядро = 3
emoji = "🔥 shapes ✓ — naïve café 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u200b\u200d\ufeff"
print(emoji, größe, 通道, ядро, flush=True)
print("lone surrogate:", "\udcff", flush=True)


class Modèle(nn.Module):
    def __init__(self):
        super().__init__()
        self.свёртка = nn.Conv2d(größe, 通道, ядро)

    def forward(self, x):
        return self.свёртка(x)


model = Modèle()
