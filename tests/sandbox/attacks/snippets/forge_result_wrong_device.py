"""Tamper with the real result on its way out: claim the cpu job was answered on "meta", with a
negative dimension."""
import json
import os

from torch import nn

real_write = os.write


def tampering_write(fd, data):
    if fd != 4:
        return real_write(fd, data)
    result = json.loads(bytes(data))
    for answer in result.get("results", []):
        answer["device"] = "meta"
        answer["output_shape"] = [1, -8, 30, 30]
    real_write(fd, json.dumps(result).encode())
    return len(data)


os.write = tampering_write
model = nn.Conv2d(3, 8, 3)
