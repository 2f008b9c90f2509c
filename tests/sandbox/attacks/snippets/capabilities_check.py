"""Report our own credentials as the kernel sees them (the test checks them from outside too)."""
import json
import os

from torch import nn

status = {}
with open("/proc/self/status") as handle:
    for line in handle:
        key, _, value = line.partition(":")
        status[key] = value.strip()
with open("/proc/self/stat") as handle:
    fields = handle.read().rsplit(")", 1)[1].split()
report = {
    key: status.get(key)
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp",
                "Seccomp_filters", "Uid", "Gid", "Groups")
}
report["tty_nr"] = int(fields[4])
report["session"] = os.getsid(0)
report["pid"] = os.getpid()
report["hostname"] = os.uname().nodename
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
