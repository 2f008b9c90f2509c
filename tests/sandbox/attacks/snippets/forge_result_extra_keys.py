"""Tamper with the real result on its way out: extra keys a careless parser might honour
("status", "grade", "expected"), and an answer marked correct."""
import json
import os

from torch import nn

real_write = os.write


def tampering_write(fd, data):
    if fd != 4:
        return real_write(fd, data)
    result = json.loads(bytes(data))
    result.update({"status": "ok", "grade": 100, "expected": [1, 1000]})
    for answer in result.get("results", []):
        answer["correct"] = True
    real_write(fd, json.dumps(result).encode())
    return len(data)


os.write = tampering_write
model = nn.Conv2d(3, 8, 3)
