"""The life of one forked child: isolate, say ready, take one job, run it, report, _exit.

Every path out of `main` ends in os._exit: a child that raised back into the server's loop would
become a second server holding the control socket.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import random
import resource
import signal
import struct
import sys
import time
from typing import Any, NoReturn

import numpy
import torch

from sandbox import isolation
from sandbox.isolation import FD_JOB, FD_READY, FD_RESULT, IsolationPlan, IsolationReport
from sandbox.runner import Runner, encode_result
from sandbox.warmup import REHEARSAL_JOB

# Bound in the server, before any student code exists: a snippet that rebinds os.kill or
# os.waitpid does not change what the end of its job does.
_kill = os.kill
_waitpid = os.waitpid
_close = os.close

EXIT_DONE = 0
EXIT_SETUP_FAILED = 71
EXIT_CRASHED = 70
MAX_JOB_BYTES = 64 * 1024 * 1024


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int) -> bytes:
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("job pipe closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_job(fd: int) -> dict[str, Any]:
    """Read one length-prefixed job message.

    Not EOF-delimited: a sibling forked while this child waited in the pool holds a copy of this
    child's job pipe until its own setup closes inherited descriptors.
    """
    (size,) = struct.unpack(">I", _read_exactly(fd, 4))
    if size > MAX_JOB_BYTES:
        raise ValueError("job message too large")
    return json.loads(_read_exactly(fd, size))


def _report_ready(fd: int, message: dict[str, Any]) -> None:
    _write_all(fd, json.dumps(message).encode() + b"\n")
    os.close(fd)


def _apply_limits(limits: dict[str, Any], memory_rlimit: bool) -> None:
    cpu = int(limits["cpu_time_s"])
    # SIGXCPU at the soft limit, SIGKILL one second later if the snippet ignores it.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # 1, not 0: see isolation._no_core_dumps (pipe core patterns ignore 0).
    resource.setrlimit(resource.RLIMIT_CORE, (1, 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["max_file_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["max_open_files"],) * 2)
    # Each child has a uid of its own, so this per-uid count is a per-job count of processes
    # and threads (fork bombs), backing up the pids cgroup.
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["max_processes"],) * 2)
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))
    if memory_rlimit:
        # Without a memory cgroup: cap the address space above what torch already mapped.
        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
        ceiling = mapped + int(limits["memory_bytes"])
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _reseed(seed: int) -> None:
    random.seed(seed)
    numpy.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _reset_interpreter(seed: int) -> tuple[io.TextIOWrapper, io.TextIOWrapper]:
    os.environ.clear()
    # The job's private tmpfs, not the host's /tmp (the child has pivoted into its own root).
    try:
        os.chdir("/tmp")  # noqa: S108
    except OSError:
        os.chdir("/")
    sys.argv = ["snippet.py"]
    sys.dont_write_bytecode = True
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:] = [entry for entry in sys.path if entry and entry != project_root]
    # One intra-op thread, set by the server before its warm-up and inherited through fork.
    # Setting it again here would be harmless but not free: set_num_threads clears oneDNN's
    # primitive cache, which is exactly what the warm-up filled; so only correct a mismatch.
    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    # Forked children inherit one random state: every job gets its own seed.
    _reseed(seed)
    stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace"
    )
    stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace"
    )
    stdout.reconfigure(line_buffering=True)
    stderr.reconfigure(write_through=True)
    sys.stdout, sys.stderr = stdout, stderr
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
    return stdout, stderr


def _usage_now() -> tuple[float, int]:
    """(CPU seconds of this process and its reaped children, its peak RSS in bytes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return cpu, max(own.ru_maxrss, children.ru_maxrss) * 1024


def _resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def serve(message: dict[str, Any], memory_rlimit: bool) -> int:
    """Run the job in `message` in this (already isolated) process and write the result."""
    job = message["job"]
    _apply_limits(job["limits"], memory_rlimit)
    stdout, stderr = _reset_interpreter(int(message["seed"]))
    cpu_before, _ = _usage_now()
    # Most of the RSS is the server's torch, shared copy-on-write: report growth beyond it.
    resident_before = _resident_bytes()
    gc.enable()
    result = Runner(job, int(job["limits"]["memory_bytes"])).run()
    cpu_after, peak = _usage_now()
    result["usage"] = {
        "cpu_time_s": max(0.0, cpu_after - cpu_before),
        "peak_memory_bytes": max(0, peak - resident_before),
    }
    encoded = encode_result(result)
    for stream in (stdout, stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    _write_all(FD_RESULT, encoded)
    _end_of_job()
    return EXIT_DONE


def _end_of_job() -> None:
    """Kill and reap every other process of the job, then close the job's pipes.

    This process is pid 1 of the job's pid namespace: kill(-1) reaches every other process in
    it, and orphans (setsid daemons included) were reparented here to be reaped. Only then are
    the pipes closed, so that when the client sees EOF nothing but this exiting process is
    left, and the client need not wait for the kernel to tear down this torch-sized address
    space (several ms). A snippet that subverts this can at worst keep its own processes alive,
    still jailed, until this process is killed, which the client does at EOF.
    """
    with contextlib.suppress(OSError):
        _kill(-1, signal.SIGKILL)
    while True:
        try:
            _waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    for fd in (FD_RESULT, 1, 2):
        with contextlib.suppress(OSError):
            _close(fd)


def _rehearse() -> None:
    """Run a tiny trusted job inside the jail before saying ready.

    Two reasons. The pages a job touches in the server's memory get copied (copy-on-write)
    and torch's per-process lazy state gets built now, off the critical path: about half of a
    small job's CPU time. And it proves torch works under these protections: if it does not,
    the child refuses jobs (fail closed) instead of blaming the first student.
    """
    # Seeding writes the generators' state: copying those pages belongs here too.
    _reseed(0)
    result = Runner(REHEARSAL_JOB, 1 << 30).run()
    failed = result["build_error"] or result["results"][0]["error"]
    if failed is not None or result["results"][0]["output_shape"] != [1, 2]:
        detail = failed["message"] if failed else f"wrong shape {result['results'][0]}"
        raise isolation.ProtectionUnavailable("rehearsal", f"torch fails in the jail: {detail}")


def main(
    plan: IsolationPlan,
    fds: tuple[int, ...],
    *,
    memory_rlimit: bool,
    fresh: bool = False,
    rehearse: bool = True,
) -> NoReturn:
    """Entry point right after fork(). Never returns.

    `rehearse` False skips the rehearsal: the server's call when the host has no CPU to spare
    (sandbox/pressure.py).
    """
    code = EXIT_CRASHED
    try:
        # Never collect the server's garbage here: a finalizer could close a descriptor number
        # that is by then one of the child's pipes. Freezing it is O(1) (a list splice) where a
        # collection walked the server's young objects and copied their pages (~1 ms a child).
        gc.disable()
        gc.freeze()
        report = IsolationReport()
        try:
            isolation.isolate(plan, report, fds)
            if rehearse and not (fresh or plan.probe):
                started = time.process_time_ns()
                _rehearse()
                report.cpu_ns["rehearsal"] = time.process_time_ns() - started
        except isolation.ProtectionUnavailable as exc:
            # Until close_fds succeeded the ready pipe is still at its inherited number.
            ready = fds[-1] if exc.protection == "close_fds" else FD_READY
            _report_ready(ready, {"ok": False, "protection": exc.protection, "detail": exc.detail})
            code = EXIT_SETUP_FAILED
        else:
            ready = {"ok": True, "missing": report.missing, "cpu_ns": report.cpu_ns}
            _report_ready(FD_READY, ready)
            if fresh:
                _exec_fresh_interpreter(memory_rlimit)
            elif plan.probe:
                code = EXIT_DONE
            else:
                code = serve(read_job(FD_JOB), memory_rlimit)
    except BaseException:  # noqa: BLE001, S110 - nothing may escape into the server's loop
        pass
    finally:
        os._exit(code)


def _exec_fresh_interpreter(memory_rlimit: bool) -> None:
    """Benchmark baseline: replace this process by a new interpreter that imports torch anew."""
    project_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bootstrap = (
        f"import sys; sys.path.insert(0, {project_root!r}); "
        "from sandbox.child import fresh_interpreter_main; "
        f"fresh_interpreter_main({memory_rlimit!r})"
    )
    os.execve(sys.executable, [sys.executable, "-I", "-c", bootstrap], {})  # noqa: S606


def fresh_interpreter_main(memory_rlimit: bool) -> NoReturn:
    code = EXIT_CRASHED
    try:
        code = serve(read_job(FD_JOB), memory_rlimit)
    except BaseException:  # noqa: BLE001, S110 - the exit code is the report
        pass
    finally:
        os._exit(code)
