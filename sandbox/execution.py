"""Drives one leased child: writes the job, collects capped output and the result, enforces the
wall-clock limit, and turns what happened into an Outcome.

All of this runs in the worker (the client's process). The child's pipes and its pidfd were
handed over by the server; the worker reads only pipes, never a path in the child's filesystem.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.protocol import ErrorInfo, InputResult, Job, Outcome, Status
from sandbox.validation import MAX_RESULT_BYTES, ChildReport, InvalidResult, parse_child_result

DRAIN_TIMEOUT_S = 2.0
# A SIGKILLed job that is still not dead after this is stuck in the kernel: not a grade.
DEATH_TIMEOUT_S = 10.0
READ_CHUNK = 1 << 16


@dataclass
class Lease:
    """A child handed to this client: its pidfd and the client's ends of its pipes."""

    job_id: int
    pid: int
    pidfd: int
    job_fd: int
    result_fd: int
    stdout_fd: int
    stderr_fd: int
    missing: tuple[str, ...] = ()

    def close(self) -> None:
        for fd in (self.pidfd, self.job_fd, self.result_fd, self.stdout_fd, self.stderr_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)


@dataclass
class _Stream:
    fd: int
    cap: int
    data: bytearray = field(default_factory=bytearray)
    overflowed: bool = False
    closed: bool = False


@dataclass
class Collected:
    """What the client saw. `exited` is False on the fast path: the child closed its stdout,
    stderr and result pipes (the runner does so after writing its result and reaping the rest
    of the job) and was then killed, without waiting for its teardown or its exit report."""

    stdout: _Stream
    stderr: _Stream
    result: _Stream
    kill_reason: str | None
    wall_time_s: float
    exited: bool


def _kill(pidfd: int) -> None:
    with contextlib.suppress(ProcessLookupError, OSError):
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)


def _read_into(stream: _Stream) -> None:
    try:
        chunk = os.read(stream.fd, READ_CHUNK)
    except BlockingIOError:
        return
    except OSError:
        chunk = b""
    if not chunk:
        stream.closed = True
        return
    room = stream.cap - len(stream.data)
    if len(chunk) > room:
        stream.data += chunk[: max(room, 0)]
        stream.overflowed = True
    else:
        stream.data += chunk


def _reported(streams: Iterable[_Stream], result: _Stream, kill_reason: str | None) -> bool:
    """The fast path's condition: every pipe closed, something written as a result, no kill.

    Descriptors close before the kernel reports the exit, so a crashed child also shows all
    pipes closed for a moment; its result is empty, which sends it down the slow path.
    """
    return kill_reason is None and bool(result.data) and all(s.closed for s in streams)


def collect(lease: Lease, job: Job, seed: int) -> Collected:
    """Feed the job to the child and gather its output until it exits or is killed."""
    started = time.monotonic()
    deadline = started + job.limits.wall_time_s
    payload = json.dumps({"job": job.to_dict(), "seed": seed}).encode()
    pending = memoryview(struct.pack(">I", len(payload)) + payload)
    cap = job.limits.max_output_bytes
    stdout = _Stream(lease.stdout_fd, cap)
    stderr = _Stream(lease.stderr_fd, cap)
    result = _Stream(lease.result_fd, MAX_RESULT_BYTES)
    streams = {s.fd: s for s in (stdout, stderr, result)}
    for fd in (*streams, lease.job_fd):
        os.set_blocking(fd, False)
    poller = select.poll()
    for fd in streams:
        poller.register(fd, select.POLLIN)
    poller.register(lease.pidfd, select.POLLIN)
    poller.register(lease.job_fd, select.POLLOUT)
    kill_reason: str | None = None
    exited = False
    while not exited and not _reported(streams.values(), result, kill_reason):
        remaining = deadline - time.monotonic()
        if remaining <= 0 and kill_reason is None:
            kill_reason = "timeout"
            _kill(lease.pidfd)
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            continue
        if remaining <= 0:
            break  # killed and still not reported dead: give up waiting, report the kill
        for fd, _events in poller.poll(remaining * 1000):
            if fd == lease.pidfd:
                exited = True
            elif fd == lease.job_fd:
                try:
                    pending = pending[os.write(fd, pending) :]
                except BlockingIOError:
                    continue
                except OSError:
                    pending = pending[:0]  # the child is gone; its exit status will say why
                if not pending:
                    poller.unregister(fd)
                    os.close(fd)
                    lease.job_fd = -1
            else:
                stream = streams[fd]
                _read_into(stream)
                if stream.closed:
                    poller.unregister(fd)
                if kill_reason is None and stream.overflowed:
                    kill_reason = "result_too_large" if stream is result else "output_limit"
                    _kill(lease.pidfd)
    if not exited and kill_reason is not None:
        # Killed but not yet seen dead: wait, the outcome is classified from its exit.
        if not select.select([lease.pidfd], [], [], DEATH_TIMEOUT_S)[0]:
            raise OSError(0, f"job {lease.job_id} did not die after SIGKILL")
        exited = True
    elif not exited:
        # Fast path: the runner has killed and reaped the rest of the job before closing its
        # pipes (child._end_of_job); kill pid 1 and do not wait for its address space to go.
        _kill(lease.pidfd)
    # The job's pid namespace is gone with its init, so every write end is closed: drain to EOF.
    drain_until = time.monotonic() + DRAIN_TIMEOUT_S
    for stream in streams.values():
        while not stream.closed and time.monotonic() < drain_until:
            if select.select([stream.fd], [], [], max(0.0, drain_until - time.monotonic()))[0]:
                _read_into(stream)
    return Collected(stdout, stderr, result, kill_reason, time.monotonic() - started, exited)


def _text(stream: _Stream, cap: int) -> tuple[str, bool]:
    text = stream.data.decode("utf-8", errors="replace")
    if stream.overflowed:
        text += f"\n[stride sandbox: output truncated, the snippet wrote more than {cap} bytes]\n"
    return text, stream.overflowed


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _memory_error(build_error: ErrorInfo | None, results: tuple[InputResult, ...]) -> bool:
    errors = [build_error] + [result.error for result in results]
    return any(error is not None and error.type == "MemoryError" for error in errors)


def classify(
    job: Job, seed: int, collected: Collected, exit_info: dict[str, Any] | None, missing: tuple
) -> Outcome:
    """Decide the Outcome. Trusted facts (our own kill, the wait status, cgroup counters) win over
    anything the child wrote; the child's result is used only after a clean exit, or on the fast
    path, where the child closed every pipe after writing it."""
    limits = job.limits
    stdout, stdout_cut = _text(collected.stdout, limits.max_output_bytes)
    stderr, stderr_cut = _text(collected.stderr, limits.max_output_bytes)
    exit_info = exit_info or {}
    status_word = exit_info.get("status")
    cpu_time = float(exit_info.get("cpu_time_s") or 0.0)
    common: dict[str, Any] = {
        "stdout": stdout,
        "stderr": stderr,
        "stdout_truncated": stdout_cut,
        "stderr_truncated": stderr_cut,
        "wall_time_s": round(collected.wall_time_s, 6),
        "cpu_time_s": round(cpu_time, 6),
        "peak_memory_bytes": exit_info.get("peak_memory_bytes"),
        "seed": seed,
        "device": job.device,
        "missing_protections": tuple(sorted(missing)),
    }
    reason = collected.kill_reason
    if reason == "timeout":
        message = f"wall-clock limit of {limits.wall_time_s:g} s exceeded"
        return Outcome(status=Status.TIMEOUT, message=message, **common)
    if reason == "output_limit":
        message = f"output limit of {limits.max_output_bytes} bytes exceeded"
        return Outcome(status=Status.OUTPUT_LIMIT, message=message, **common)
    if reason == "result_too_large":
        message = f"result larger than {MAX_RESULT_BYTES} bytes"
        return Outcome(status=Status.INVALID_RESULT, message=message, **common)
    if collected.exited:
        if status_word is None:
            message = "the job's exit was not reported"
            return Outcome(status=Status.SANDBOX_UNAVAILABLE, message=message, **common)
        if os.WIFSIGNALED(status_word):
            return _signalled(status_word, cpu_time, exit_info, limits, common)
        code = os.WEXITSTATUS(status_word)
        if code != 0:
            message = f"the snippet's process exited with status {code} without a result"
            return Outcome(status=Status.INVALID_RESULT, message=message, **common)
    try:
        report = parse_child_result(
            bytes(collected.result.data), input_count=len(job.inputs), device=job.device
        )
    except InvalidResult as exc:
        return Outcome(status=Status.INVALID_RESULT, message=str(exc), **common)
    if not collected.exited:
        common["cpu_time_s"] = round(report.cpu_time_s, 6)
        common["peak_memory_bytes"] = report.peak_memory_bytes
    return _from_report(report, limits, common)


def _signalled(
    status_word: int, cpu_time: float, exit_info: dict[str, Any], limits: Any, common: dict
) -> Outcome:
    number = os.WTERMSIG(status_word)
    if exit_info.get("oom_killed"):
        message = f"memory limit of {limits.memory_bytes} bytes exceeded"
        return Outcome(status=Status.MEMORY_LIMIT, message=message, **common)
    if number == signal.SIGXCPU or (number == signal.SIGKILL and cpu_time >= limits.cpu_time_s):
        message = f"CPU time limit of {limits.cpu_time_s} s exceeded"
        return Outcome(status=Status.TIMEOUT, message=message, **common)
    message = f"the snippet's process was killed by {_signal_name(number)}"
    return Outcome(status=Status.KILLED, message=message, **common)


def _from_report(report: ChildReport, limits: Any, common: dict) -> Outcome:
    build_error, results = report.build_error, report.results
    failed = next((result for result in results if result.error is not None), None)
    if _memory_error(build_error, results):
        status, message = Status.MEMORY_LIMIT, f"MemoryError (limit {limits.memory_bytes} bytes)"
    elif build_error is not None:
        status, message = Status.ERROR, f"{build_error.type}: {build_error.message}"
    elif failed is not None and failed.error is not None:
        status = Status.ERROR
        message = f"input {failed.index}: {failed.error.type}: {failed.error.message}"
    else:
        status, message = Status.OK, ""
    return Outcome(status=status, message=message, results=results, error=build_error, **common)
