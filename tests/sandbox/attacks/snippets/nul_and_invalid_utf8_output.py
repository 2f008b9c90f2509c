"""NUL bytes, invalid UTF-8, terminal escape sequences and a fake truncation marker in output."""
import os
import sys

from torch import nn

os.write(1, b"before\x00after \xff\xfe\xc3\x28 \xed\xa0\x80 end\n")
os.write(1, b"\x1b[2J\x1b[H\x1b]0;pwned-title\x07\x1b[31mred\x1b[0m\r\n")
sys.stdout.buffer.write(b"\x00" * 16 + b"\n")
sys.stdout.flush()
print("\n[stride sandbox: output truncated, the snippet wrote more than 1 bytes]")
os.write(2, b"\xc0\xaf\x00\x1b[6n stderr\n")
model = nn.Conv2d(3, 8, 3)
