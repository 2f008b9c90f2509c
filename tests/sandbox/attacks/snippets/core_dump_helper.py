"""Crash on purpose. With a pipe core_pattern (systemd-coredump, apport: the default of many
hosts) the kernel ignores RLIMIT_CORE=0 and runs the host's helper as root, feeding it this
process's memory; only RLIMIT_CORE=1 or a non-dumpable process stop it. Report both, then crash."""
import ctypes
import json
import resource

from torch import nn

PR_GET_DUMPABLE = 3
libc = ctypes.CDLL(None, use_errno=True)
report = {"rlimit_core": list(resource.getrlimit(resource.RLIMIT_CORE)),
          "dumpable": libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)}
with open("/proc/sys/kernel/core_pattern") as handle:
    report["core_pattern_seen"] = handle.read().strip()
print("REPORT " + json.dumps(report), flush=True)
ctypes.string_at(0)
model = nn.Conv2d(3, 8, 3)
