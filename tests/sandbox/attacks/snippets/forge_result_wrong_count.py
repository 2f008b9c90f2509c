"""Tamper with the real result on its way out: patch os.write so that what reaches the result
pipe (fd 4) carries two answers for a one-input job, the second with boolean dimensions."""
import json
import os

from torch import nn

real_write = os.write


def tampering_write(fd, data):
    if fd != 4:
        return real_write(fd, data)
    result = json.loads(bytes(data))
    if result.get("results"):
        answer = result["results"][0]
        result["results"].append({**answer, "index": 1, "output_shape": [True, 1000]})
    real_write(fd, json.dumps(result).encode())
    return len(data)


os.write = tampering_write
model = nn.Conv2d(3, 8, 3)
