"""What the child can see and do: checked from inside a job, asserted from outside."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sandbox import Status
from sandbox.filesystem import PROJECT_ROOT
from tests.sandbox.helpers import make_job


def _report(sandbox_client, code: str) -> dict:
    """Run `code`, which must bind `report` to a JSON-able dict, and return that dict."""
    job = make_job(code + "\nimport json\nprint(json.dumps(report))\nmodel = nn.Identity()\n")
    outcome = sandbox_client.run(job)
    assert outcome.status is Status.OK, (outcome.message, outcome.stderr)
    return json.loads(outcome.stdout)


def test_children_see_an_empty_environment(sandbox_client, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "worker-secret")  # the worker has secrets; the child must not

    report = _report(
        sandbox_client,
        "import os\nreport = {'environ': dict(os.environ),"
        " 'raw': open('/proc/self/environ', 'rb').read().decode()}",
    )

    assert report == {"environ": {}, "raw": ""}


def test_nothing_is_reachable_over_the_network(sandbox_client):
    code = """
import socket
report = {}
for port in (6379, 5432):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        report[port] = "connected"
    except OSError as exc:
        report[port] = exc.errno
"""
    report = _report(sandbox_client, code)

    assert report == {"6379": 97, "5432": 97}  # EAFNOSUPPORT: no AF_INET socket at all


def test_secrets_and_the_project_are_invisible(sandbox_client):
    assert os.path.exists("/etc/shadow")
    assert os.path.exists(os.path.join(PROJECT_ROOT, "pyproject.toml"))
    paths = [
        "/etc/shadow",
        os.path.join(PROJECT_ROOT, "pyproject.toml"),
        os.path.join(PROJECT_ROOT, "config"),
        os.path.join(PROJECT_ROOT, "fixtures"),
        os.path.join(PROJECT_ROOT, "sandbox"),
        os.path.join(PROJECT_ROOT, "var"),
        "/root/.bash_history",
    ]

    report = _report(
        sandbox_client,
        f"import os\nreport = {{path: os.path.exists(path) for path in {paths!r}}}",
    )

    assert report == {path: False for path in paths}


def test_tmp_and_shm_are_private_to_each_job(sandbox_client):
    write = """
import os
for directory in ("/tmp", "/dev/shm"):
    with open(os.path.join(directory, "left-behind"), "w") as handle:
        handle.write("for the next job")
report = {"/tmp": os.listdir("/tmp"), "/dev/shm": os.listdir("/dev/shm")}
"""
    look = "import os\nreport = {'/tmp': os.listdir('/tmp'), '/dev/shm': os.listdir('/dev/shm')}"

    first = _report(sandbox_client, write)
    second = _report(sandbox_client, look)

    # A checkout under /tmp (a CI clone) shows its read-only path to the virtualenv there too.
    project = Path(PROJECT_ROOT)
    checkout = list(project.relative_to("/tmp").parts[:1]) if project.is_relative_to("/tmp") else []
    assert sorted(first["/tmp"]) == sorted(["left-behind", *checkout])
    assert first["/dev/shm"] == ["left-behind"]
    assert second == {"/tmp": checkout, "/dev/shm": []}
    assert not os.path.exists("/tmp/left-behind")


def test_the_child_is_unprivileged_and_filtered(sandbox_client):
    code = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
status = dict(
    line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines()
    if ":\\t" in line
)
def errno_of(result):
    return ctypes.get_errno() if result == -1 else 0
report = {
    "uids": list(os.getresuid()),
    "pid": os.getpid(),
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "caps": [status[k].strip() for k in ("CapEff", "CapPrm", "CapBnd", "CapAmb")],
    "no_new_privs": status["NoNewPrivs"].strip(),
    "seccomp": status["Seccomp"].strip(),
    "unshare": errno_of(libc.unshare(0x00020000)),
    "mount": errno_of(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
    "ptrace": errno_of(libc.ptrace(16, 1, 0, 0)),
    "root_writable": os.access("/", os.W_OK),
}
"""
    report = _report(sandbox_client, code)

    assert len(set(report.pop("uids"))) == 1
    assert report == {
        "pid": 1,
        "processes": [1],
        "caps": ["0000000000000000"] * 4,
        "no_new_privs": "1",
        "seccomp": "2",
        "unshare": 1,  # EPERM
        "mount": 1,
        "ptrace": 1,
        "root_writable": False,
    }


def test_printed_text_is_never_mistaken_for_a_result(sandbox_client):
    fake = json.dumps({"build_error": None, "results": [{"index": 0, "output_shape": [1, 10]}]})
    job = make_job(f"print({fake!r})\n")  # prints a "result" and defines no model

    outcome = sandbox_client.run(job)

    assert outcome.status is Status.ERROR
    assert outcome.error.type == "EntryPointError"


def test_a_forged_result_on_the_result_pipe_is_invalid(sandbox_client):
    code = """
import os
for fd in range(3, 32):
    try:
        os.write(fd, b'{"build_error": null, "results": [')
    except OSError:
        pass
model = nn.Identity()
"""
    outcome = sandbox_client.run(make_job(code))

    assert outcome.status is Status.INVALID_RESULT
