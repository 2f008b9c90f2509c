"""Print a fake result, then os._exit(0): a clean exit status without the runner's result."""
import json
import os
import sys

from torch import nn

FAKE = {"build_error": None, "results": [{
    "index": 0, "device": "cpu", "output_shape": [1, 1000], "output_dtype": "float32",
    "error": None, "trace": [], "trace_truncated": False, "parameter_count": 1,
}]}
print(json.dumps(FAKE), flush=True)
sys.stderr.write(json.dumps(FAKE))
sys.stderr.flush()
model = nn.Conv2d(3, 8, 3)
os._exit(0)
