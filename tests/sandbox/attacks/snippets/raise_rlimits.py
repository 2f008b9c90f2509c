"""Raise every rlimit to infinity (hard and soft), then check what stuck."""
import json
import resource

from torch import nn

report = {}
for name in dir(resource):
    if not name.startswith("RLIMIT_"):
        continue
    which = getattr(resource, name)
    before = resource.getrlimit(which)
    try:
        resource.setrlimit(which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        outcome = "raised"
    except (OSError, ValueError) as exc:
        outcome = f"refused: {exc}"
    try:
        resource.prlimit(0, which, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        outcome += ", prlimit raised"
    except (OSError, ValueError) as exc:
        outcome += f", prlimit refused: {exc}"
    report[name] = {"before": before, "after": resource.getrlimit(which), "outcome": outcome}
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
