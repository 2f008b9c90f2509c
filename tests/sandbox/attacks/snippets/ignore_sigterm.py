"""Ignore every catchable signal, then hang: a polite SIGTERM/SIGINT/SIGXCPU cannot end it."""
import signal

from torch import nn

for number in range(1, signal.NSIG):
    try:
        signal.signal(number, signal.SIG_IGN)
    except (OSError, ValueError, RuntimeError):
        pass
print("ignoring signals", flush=True)
while True:
    pass
model = nn.Conv2d(3, 8, 3)
