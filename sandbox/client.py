"""What the grader calls: `SandboxClient().run(job) -> Outcome`.

The client starts the fork-server on first use (an interpreter of its own, empty environment,
new session), reuses it for every later job, and starts a new one if it dies. It is thread-safe:
any number of threads may call `run` at once, each job gets its own child. It is not fork-safe
by sharing: a process that forks (Celery prefork) gets a new server in each child on first use.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import threading
from typing import Any

from sandbox import wire
from sandbox.config import SandboxConfig
from sandbox.execution import Lease, classify, collect
from sandbox.filesystem import PROJECT_ROOT
from sandbox.isolation import PROTECTIONS
from sandbox.protocol import Job, Outcome

logger = logging.getLogger("sandbox")

REQUEST_TIMEOUT_S = 60.0
EXIT_REPORT_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 10.0
# Set inside the server before numpy and torch load: one thread per process, so that no thread
# pool exists at fork time (OpenBLAS starts one at import, libgomp at the first parallel op).
# Set in-process rather than in the exec environment so that /proc/<pid>/environ stays empty.
THREAD_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
BOOTSTRAP = (
    "import os; os.environ.update({environment!r}); import sys; "
    "sys.path.insert(0, {root!r}); from sandbox.server import main; main()"
)


class SandboxUnavailable(Exception):
    """The sandbox cannot run jobs; the message names what is missing."""


class ServerDied(SandboxUnavailable):
    """The fork-server process went away."""


class _Server:
    """One fork-server process and the thread that sorts its messages."""

    def __init__(self, config: SandboxConfig) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        bootstrap = BOOTSTRAP.format(environment=THREAD_ENVIRONMENT, root=PROJECT_ROOT)
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and code
                [config.python, "-I", "-c", bootstrap, str(theirs.fileno()), _config_json(config)],
                pass_fds=[theirs.fileno()],
                env={},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                cwd="/",
                start_new_session=True,
            )
        except OSError as exc:
            ours.close()
            raise SandboxUnavailable(f"cannot start the sandbox server: {exc}") from None
        finally:
            theirs.close()
        self.sock = ours
        self.dead = False
        self.hello: dict[str, Any] | None = None
        self._ids = itertools.count(1)
        self._send_lock = threading.Lock()
        self._changed = threading.Condition()
        self._waiting: set[int] = set()
        self._replies: dict[int, tuple[dict[str, Any], list[int]]] = {}
        self._exits: dict[int, dict[str, Any]] = {}
        self._ignored_exits: set[int] = set()
        self._reader = threading.Thread(
            target=self._read_messages, name="sandbox-client-reader", daemon=True
        )
        self._reader.start()
        with self._changed:
            self._changed.wait_for(
                lambda: self.hello is not None or self.dead, config.start_timeout_s
            )
        if self.hello is None:
            self.close()
            raise SandboxUnavailable("the sandbox server did not start (see its log on stderr)")

    def _read_messages(self) -> None:
        try:
            while True:
                message, fds = wire.receive(self.sock)
                with self._changed:
                    request_id = message.get("id")
                    if request_id is not None and request_id in self._waiting:
                        self._replies[request_id] = (message, fds)
                        fds = []
                    elif message.get("op") == "hello":
                        self.hello = message
                    elif message.get("op") == "exited":
                        if message["job"] in self._ignored_exits:
                            self._ignored_exits.discard(message["job"])
                        else:
                            self._exits[message["job"]] = message
                    self._changed.notify_all()
                for fd in fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)
        except (wire.ConnectionClosed, ValueError, OSError):
            pass
        finally:
            with self._changed:
                self.dead = True
                self._changed.notify_all()

    def request(
        self, message: dict[str, Any], timeout: float = REQUEST_TIMEOUT_S
    ) -> tuple[dict[str, Any], list[int]]:
        request_id = next(self._ids)
        with self._changed:
            self._waiting.add(request_id)
        try:
            with self._send_lock:
                wire.send(self.sock, {**message, "id": request_id})
            with self._changed:
                self._changed.wait_for(lambda: request_id in self._replies or self.dead, timeout)
                if request_id in self._replies:
                    return self._replies.pop(request_id)
            if self.dead:
                raise ServerDied("the sandbox server exited")
            raise SandboxUnavailable("the sandbox server did not answer in time")
        except wire.ConnectionClosed:
            raise ServerDied("the sandbox server exited") from None
        finally:
            with self._changed:
                self._waiting.discard(request_id)
                late = self._replies.pop(request_id, None)
            for fd in late[1] if late else []:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def acquire(self, job: Job, *, fresh: bool) -> Lease:
        reply, fds = self.request({"op": "acquire", "limits": job.limits.to_dict(), "fresh": fresh})
        if not reply.get("ok") or len(fds) != 5:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            raise SandboxUnavailable(reply.get("message") or "no child was handed over")
        pidfd, job_fd, result_fd, stdout_fd, stderr_fd = fds
        return Lease(
            job_id=reply["job"],
            pid=reply["pid"],
            pidfd=pidfd,
            job_fd=job_fd,
            result_fd=result_fd,
            stdout_fd=stdout_fd,
            stderr_fd=stderr_fd,
            missing=tuple(sorted(reply.get("missing", {}))),
        )

    def forget_exit(self, job_id: int) -> None:
        with self._changed:
            if self._exits.pop(job_id, None) is None:
                self._ignored_exits.add(job_id)

    def wait_exit(self, job_id: int, timeout: float = EXIT_REPORT_TIMEOUT_S) -> dict | None:
        with self._changed:
            self._changed.wait_for(lambda: job_id in self._exits or self.dead, timeout)
            return self._exits.pop(job_id, None)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        try:
            self.process.wait(SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(SHUTDOWN_TIMEOUT_S)
        self.sock.close()


def _config_json(config: SandboxConfig) -> str:
    return json.dumps(config.to_dict())


class SandboxClient:
    """Runs jobs in the sandbox. Create one per process and keep it: the server stays warm."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig.from_environment()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._owner_pid = os.getpid()

    def _current(self) -> _Server:
        with self._lock:
            if self._owner_pid != os.getpid():
                # Forked: the server belongs to the parent process; leave it alone.
                self._server, self._owner_pid = None, os.getpid()
            if self._server is not None and self._server.dead:
                logger.warning("sandbox server died; starting a new one")
                self._server.close()
                self._server = None
            if self._server is None:
                self._server = _Server(self.config)
            return self._server

    def run(self, job: Job, *, fresh_interpreter: bool = False) -> Outcome:
        """Run `job` and describe what happened. Never raises for anything the snippet does.

        `fresh_interpreter` is the benchmark baseline: the child execs a new Python that imports
        torch itself, under the same isolation.
        """
        seed = job.seed if job.seed is not None else secrets.randbits(63)
        try:
            server, lease = self._lease(job, fresh_interpreter)
        except SandboxUnavailable as exc:
            return Outcome.unavailable(str(exc), device=job.device)
        if lease.missing and not self.config.allow_unsafe:
            # Defence in depth: the server only hands such children out in unsafe mode.
            lease.close()  # the idle child sees its job pipe close and exits
            server.forget_exit(lease.job_id)
            message = f"missing protections: {', '.join(lease.missing)}"
            return Outcome.unavailable(message, device=job.device)
        try:
            collected = collect(lease, job, seed)
        except OSError as exc:
            server.forget_exit(lease.job_id)
            return Outcome.unavailable(f"sandbox I/O error: {exc}", device=job.device)
        finally:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(lease.pidfd, signal.SIGKILL)
            lease.close()
        if collected.exited or collected.kill_reason:
            exit_info = server.wait_exit(lease.job_id)
        else:
            # Fast path: the result is in and the job is being killed; its exit report can
            # only repeat that, so do not wait for the kernel to tear it down.
            server.forget_exit(lease.job_id)
            exit_info = None
        return classify(job, seed, collected, exit_info, lease.missing)

    def _lease(self, job: Job, fresh: bool) -> tuple[_Server, Lease]:
        # A server that died between jobs is restarted once, transparently; one that dies
        # again is reported.
        for attempt in range(2):
            server = self._current()
            if job.device == "cuda" and not server.hello.get("cuda_devices"):  # type: ignore[union-attr]
                # Decided here, from the server's view of the host, not by the (untrusted) child.
                raise SandboxUnavailable("this worker has no CUDA device for a cuda job")
            try:
                return server, server.acquire(job, fresh=fresh)
            except ServerDied:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def info(self) -> dict[str, Any]:
        """The server's own state: pid, RSS, threads, whether CUDA was initialised, pool, ..."""
        reply, _ = self._current().request({"op": "info"})
        return reply

    def check(self) -> dict[str, Any]:
        """Which protections this host supports, probed by a real (unsafe-mode) child."""
        server = self._current()
        reply, _ = server.request({"op": "probe"})
        missing = reply.get("missing", {})
        protections = {
            name: {"available": name not in missing, "detail": missing.get(name, "")}
            for name in PROTECTIONS
        }
        cgroups = reply.get("cgroups", "")
        protections["cgroups"] = {
            "available": not cgroups.startswith("unavailable"),
            "detail": cgroups,
        }
        return {"protections": protections, "server_pid": server.hello["pid"]}  # type: ignore[index]

    def server_pid(self) -> int:
        return int(self._current().hello["pid"])  # type: ignore[index]

    def close(self) -> None:
        with self._lock:
            if self._server is not None and self._owner_pid == os.getpid():
                self._server.close()
            self._server = None

    def __enter__(self) -> SandboxClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_shared: SandboxClient | None = None
_shared_lock = threading.Lock()


def shared_client() -> SandboxClient:
    """One client per process, configured from the environment (what a worker wants)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SandboxClient()
        return _shared
