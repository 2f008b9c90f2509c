"""A multiprocessing Pool far bigger than the process limit, each worker burning CPU."""
import json
import multiprocessing

from torch import nn


def burn(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


report = {}
try:
    with multiprocessing.Pool(64) as pool:
        report["results"] = len(pool.map(burn, [200_000] * 256))
except Exception as exc:  # noqa: BLE001
    report["error"] = f"{type(exc).__name__}: {exc}"
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
