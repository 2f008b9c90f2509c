"""Read what helps a kernel exploit: symbol addresses, the kernel log, kernel memory."""
import ctypes
import errno
import json

from torch import nn

report = {}
try:
    with open("/proc/kallsyms") as handle:
        addresses = [line.split()[0] for _, line in zip(range(2000), handle)]
    report["kallsyms_nonzero"] = sum(1 for address in addresses if int(address, 16))
    report["kallsyms_lines"] = len(addresses)
except OSError as exc:
    report["kallsyms_nonzero"] = errno.errorcode.get(exc.errno, str(exc))
for path in ("/proc/kcore", "/proc/kmsg", "/dev/kmsg", "/proc/kpagecount", "/proc/kpageflags",
             "/proc/self/pagemap", "/sys/kernel/notes", "/boot/System.map"):
    try:
        with open(path, "rb") as handle:
            data = handle.read(64)
        report[path] = f"READ {len(data)} bytes" + (" (all zero)" if not any(data) else "")
    except OSError as exc:
        report[path] = errno.errorcode.get(exc.errno, str(exc))
libc = ctypes.CDLL(None, use_errno=True)
buffer = ctypes.create_string_buffer(4096)
ctypes.set_errno(0)
result = libc.klogctl(3, buffer, 4096)  # SYSLOG_ACTION_READ_ALL
report["syslog"] = errno.errorcode.get(ctypes.get_errno(), "0") if result < 0 else f"READ {result}"
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
