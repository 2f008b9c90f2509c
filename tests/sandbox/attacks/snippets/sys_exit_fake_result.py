"""Print something that looks like a successful Outcome, then sys.exit(0) before the real work."""
import json
import sys

from torch import nn

FAKE = {"status": "ok", "results": [{"index": 0, "device": "cpu", "output_shape": [1, 1000],
                                     "output_dtype": "float32", "error": None}]}
print(json.dumps(FAKE), flush=True)
print(json.dumps({"build_error": None, "results": FAKE["results"]}), file=sys.stderr, flush=True)
model = nn.Conv2d(3, 8, 3)
sys.exit(0)
