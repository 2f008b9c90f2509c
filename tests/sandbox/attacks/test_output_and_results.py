"""Attacks on what comes back: floods of output, hostile bytes, forged and malformed results.

Whatever a snippet prints or writes to its descriptors, the Outcome is built from facts the worker
observed itself (its own kill, the exit status, the cgroup) and a schema-checked result; anything
else is `invalid_result`, never `ok` with forged data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sandbox import Limits, Status
from tests.sandbox.attacks.conftest import CANARY, HEALTHY_OUTPUT, SNIPPETS
from tests.sandbox.attacks.observe import PROJECT_ROOT, report_of

# The worker appends one line to a truncated stream; nothing else may exceed the cap.
TRUNCATION_NOTE_BYTES = 200
FORGED_SHAPE = (1, 1000)
HONEST_FUNCTIONAL_CONV = """
import torch
import torch.nn.functional as F
from torch import nn


class Functional(nn.Module):
    def forward(self, x):
        return F.conv2d(x, torch.zeros(8, 3, 3, 3))


model = Functional()
"""


@pytest.mark.parametrize(
    ("snippet", "stream"), [("huge_stdout.py", "stdout"), ("huge_stderr.py", "stderr")]
)
def test_output_floods_are_cut_at_the_cap(attacker, snippet, stream):
    limits = Limits(wall_time_s=10.0, cpu_time_s=10, max_output_bytes=64 * 1024)

    outcome = attacker.run(snippet, limits=limits)

    text = getattr(outcome, stream)
    assert outcome.status is Status.OUTPUT_LIMIT
    assert getattr(outcome, f"{stream}_truncated") is True
    assert (
        limits.max_output_bytes
        <= len(text.encode())
        <= (limits.max_output_bytes + TRUNCATION_NOTE_BYTES)
    )
    assert "output truncated" in text.splitlines()[-1]
    assert outcome.results == ()
    # Killed as soon as the cap was crossed, not at the wall-clock limit.
    assert attacker.elapsed[-1] < limits.wall_time_s / 2


def test_nul_bytes_invalid_utf8_and_escapes_arrive_as_inert_text(attacker):
    outcome = attacker.run("nul_and_invalid_utf8_output.py")

    assert outcome.status is Status.OK
    assert outcome.output_shapes == (HEALTHY_OUTPUT,)
    assert outcome.stdout.startswith("before\x00after \ufffd\ufffd\ufffd(")
    assert "\x00" * 16 in outcome.stdout
    # The snippet printed a fake truncation note: only the worker decides what was truncated.
    assert outcome.stdout_truncated is False
    assert outcome.stderr_truncated is False
    encoded = outcome.to_json()
    assert encoded.isascii()
    assert "\x1b" not in encoded
    assert "\x00" not in encoded
    assert json.loads(encoded)["stdout"] == outcome.stdout


def test_the_command_line_never_writes_the_snippets_control_bytes_to_the_terminal():
    """What an operator reads in a terminal: no escape sequence, NUL or invalid UTF-8 of the
    snippet reaches it raw (the CLI starts its own sandbox)."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "sandbox",
            "run",
            str(SNIPPETS / "nul_and_invalid_utf8_output.py"),
            "--input-shape",
            "1,3,32,32",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )

    assert completed.returncode == 0, completed.stderr.decode("utf-8", "replace")
    assert completed.stdout.startswith(b"status: ok")
    assert b"output shape [1, 8, 30, 30]" in completed.stdout
    for raw in (b"\x1b", b"\x00", b"\x07", b"\xff", b"\r"):
        assert raw not in completed.stdout
    completed.stdout.decode("utf-8")  # valid UTF-8 throughout
    assert CANARY.encode() not in completed.stdout + completed.stderr


def test_sys_exit_after_printing_a_fake_result_is_an_error(attacker):
    outcome = attacker.run("sys_exit_fake_result.py")

    assert outcome.status is Status.ERROR
    assert outcome.error is not None
    assert outcome.error.type == "SystemExit"
    assert outcome.results == ()
    assert '"output_shape": [1, 1000]' in outcome.stdout  # printed, and only printed


def test_os_exit_after_printing_a_fake_result_is_invalid(attacker):
    outcome = attacker.run("os_exit_fake_result.py")

    assert outcome.status is Status.INVALID_RESULT
    assert outcome.results == ()
    assert outcome.error is None


def test_a_forged_result_on_every_descriptor_reaches_only_the_result_pipe(attacker):
    outcome = attacker.run("forge_result_on_inherited_fds.py")

    # The forgery went first into the result pipe and the runner's real result after it: the
    # two together are not one JSON document.
    assert outcome.status is Status.INVALID_RESULT
    assert outcome.results == ()
    report = report_of(outcome)
    # Beyond stdio, the only writable descriptor is the job's own result pipe: none of the
    # worker's sockets (broker, database) or the server's control socket was inherited.
    assert list(report) == ["4"]
    assert report["4"].startswith("WRITTEN pipe:[")


@pytest.mark.parametrize(
    "snippet",
    [
        "forge_result_wrong_count.py",
        "forge_result_extra_keys.py",
        "forge_result_wrong_device.py",
        "forge_result_deep_nesting.py",
        "result_pipe_flood.py",
    ],
)
def test_malformed_results_are_invalid_never_ok(attacker, snippet):
    outcome = attacker.run(snippet)

    assert outcome.status is Status.INVALID_RESULT
    assert outcome.message
    assert outcome.results == ()
    assert outcome.error is None
    assert FORGED_SHAPE not in outcome.output_shapes


def test_monkeypatched_torch_lies_only_inside_its_own_job(attacker):
    lying = attacker.run("monkeypatch_torch_shapes.py")
    honest = attacker.run(code=HONEST_FUNCTIONAL_CONV)

    # The lie is the snippet's own claim about its own model...
    assert lying.status is Status.OK
    assert lying.output_shapes == (FORGED_SHAPE,)
    # ...and the next job, a fresh fork of the untouched server, gets the truth.
    assert honest.status is Status.OK, honest.message
    assert honest.output_shapes == (HEALTHY_OUTPUT,)


def test_a_hostile_exception_is_reported_within_bounds(attacker):
    outcome = attacker.run("hostile_exception.py")

    assert outcome.status is Status.ERROR
    (result,) = outcome.results
    assert result.error is not None
    assert len(result.error.type) <= 256
    assert len(result.error.message) <= 4000
    assert len(result.error.traceback) <= 16000
    assert len(outcome.to_json()) < 64 * 1024
