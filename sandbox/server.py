"""The warm fork-server: imports torch once, keeps a few isolated children waiting for jobs.

It is started by the client (client.py) with an empty environment and talks to it over one
SOCK_SEQPACKET socket. The server never sees a job: it forks a child, lets the child isolate
itself, then hands the child's pipes (and a pidfd) to the client, which writes the job and reads
the result directly. So the server's memory, which every later child inherits, holds no other
student's code or results.

Pitfalls this module exists to get right (DESIGN.md, "Why a fork-server"):
- torch is imported and warmed up with one thread; no parallel region has ever run here, so no
  OpenMP pool exists to be broken by fork; CUDA is never initialised here.
- stdio is flushed before every fork, so buffered text is never written twice.
- each child becomes pid 1 of a fresh pid namespace (unshare(CLONE_NEWPID) before fork, setns
  back after); when it dies the kernel kills everything left in that namespace.
- every child path ends in os._exit (child.main, plus a try/finally here).
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import logging
import os
import select
import selectors
import shutil
import signal
import socket
import sys
import time
from dataclasses import replace
from typing import Any

import torch

from sandbox import seccomp, wire
from sandbox.cgroups import CgroupManager, ChildCgroup
from sandbox.config import SandboxConfig
from sandbox.filesystem import build_template, plan_layout
from sandbox.housekeeping import anonymous_huge_pages, private_directory, rss_bytes
from sandbox.isolation import PROTECTIONS, IsolationPlan
from sandbox.pool import ChildRecord, Request, UidPool, close_quietly, fork_child
from sandbox.pressure import CpuPressure
from sandbox.protocol import Limits
from sandbox.warmup import prepare_for_fork

logger = logging.getLogger("sandbox")

BACKSTOP_GRACE_S = 5.0
SETUP_TIMEOUT_S = 30.0
READY_FRAME_BYTES = 64 * 1024
EVENT_PRIORITY = {"control": 0, "ready": 1, "exit": 2}
DEFAULT_CGROUP_LIMITS = (Limits().memory_bytes, Limits().max_processes)
# The set-up steps a ready child may report a cost for (nothing else is accepted).
PROFILED_STEPS = (*PROTECTIONS, "rehearsal")


class ForkServer:
    def __init__(self, sock: socket.socket, config: SandboxConfig) -> None:
        self.sock = sock
        self.config = config
        self.selector = selectors.DefaultSelector()
        self.control_poll = select.poll()
        self.control_poll.register(sock, select.POLLIN)
        self.children: dict[int, ChildRecord] = {}
        self.ready: collections.deque[ChildRecord] = collections.deque()
        self.pending: collections.deque[Request] = collections.deque()
        self.ids = itertools.count(1)
        self.cgroups, self.cgroup_reason = CgroupManager.detect()
        self.stale_cgroups: list[ChildCgroup] = []
        self.directory = private_directory()
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as handle:
            cap_last_cap = int(handle.read())
        try:
            program, program_error = seccomp.build_filter(), ""
        except OSError as exc:
            program, program_error = b"", exc.strerror or str(exc)
        uids = range(config.uid_base, config.uid_base + config.uid_count)
        self.uids = UidPool(uids)
        layouts = []
        for name, fresh in (("root", False), ("root-fresh", True)):
            layout = plan_layout(
                template=os.path.join(self.directory, name),
                tmp_bytes=config.tmp_bytes,
                shm_bytes=config.shm_bytes,
                fresh_interpreter=fresh,
            )
            build_template(layout, uids)
            layouts.append(layout)
        self.plan = IsolationPlan(
            layout=layouts[0],
            cap_last_cap=cap_last_cap,
            seccomp_program=program,
            seccomp_error=program_error,
            allow_unsafe=config.allow_unsafe,
            simulate_missing=config.simulate_missing,
        )
        self.fresh_plan = replace(self.plan, layout=layouts[1])
        self.pidns_fd = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        self.healthy = True
        self.setup_error = ""
        self.running = True
        self.jobs_started = 0
        # Where a pool child's set-up time goes: CPU ns per step, summed over `setup_profiled`
        # children (the fork itself as the server's CPU, each isolation step and the rehearsal
        # as the child's). Reported by `info`; printed by benchmarks/sandbox_throughput.py.
        self.setup_cpu_ns: collections.Counter[str] = collections.Counter()
        self.setup_profiled = 0
        self.cpu_pressure = CpuPressure(config.cpu_pressure_path)
        self.rehearsals_skipped = 0

    # -- the loop ---------------------------------------------------------------------------

    def serve_forever(self) -> None:
        self.selector.register(self.sock, selectors.EVENT_READ, ("control", None))
        self._send(
            {
                "op": "hello",
                "pid": os.getpid(),
                "cgroups": self._cgroup_label(),
                # Without initialising CUDA here: a CUDA build and the driver's device nodes.
                "cuda_devices": bool(torch.version.cuda)
                and any("nvidia" in device for device in self.plan.layout.devices),
            }
        )
        try:
            while self.running:
                self._dispatch()
                events = self.selector.select(self._select_timeout())
                # A waiting client first: reaping and replenishing can wait a few milliseconds,
                # its job cannot (the hand-out happens inside _on_control).
                events.sort(key=lambda event: EVENT_PRIORITY[event[0].data[0]])
                for key, _ in events:
                    kind, record = key.data
                    if record is not None and self.children.get(record.job_id) is not record:
                        # Reaped earlier in this batch: its descriptor numbers may already
                        # belong to a newer child.
                        continue
                    if kind == "control":
                        self._on_control()
                    elif kind == "ready":
                        self._on_ready(record)
                    elif kind == "exit":
                        self._on_exit(record)
                    if not self.running:
                        break
                self._enforce_deadlines()
        finally:
            self._shutdown()

    def _select_timeout(self) -> float | None:
        deadlines = [c.deadline for c in self.children.values() if c.deadline is not None]
        if self.stale_cgroups:
            deadlines.append(time.monotonic() + 1.0)
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - time.monotonic())

    def _send(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        try:
            wire.send(self.sock, message, fds)
        except wire.ConnectionClosed:
            self.running = False

    def _cgroup_label(self) -> str:
        return self.cgroups.version if self.cgroups else f"unavailable ({self.cgroup_reason})"

    # -- control messages -------------------------------------------------------------------

    def _on_control(self) -> None:
        try:
            message, fds = wire.receive(self.sock)
        except (wire.ConnectionClosed, ValueError):
            self.running = False
            return
        close_quietly(*fds)
        op = message.get("op")
        if op == "acquire":
            request = Request(
                id=message["id"],
                limits=message["limits"],
                fresh=bool(message.get("fresh")),
            )
            if request.fresh:
                self._spawn_for(request)
            else:
                self.pending.append(request)
                self._hand_out_ready()
        elif op == "probe":
            self._spawn_for(Request(id=message["id"], limits={}, probe=True))
        elif op == "info":
            self._send({"id": message["id"], "ok": True, **self._info()})
        elif op == "shutdown":
            self.running = False

    def _info(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "rss_bytes": rss_bytes(),
            "threads": len(os.listdir("/proc/self/task")),
            "cuda_initialized": bool(torch.cuda.is_initialized()),
            "ready": len(self.ready),
            "children": len(self.children),
            "cgroups": self._cgroup_label(),
            "healthy": self.healthy,
            "setup_error": self.setup_error,
            "jobs_started": self.jobs_started,
            "uid_range": [self.config.uid_base, self.config.uid_base + self.config.uid_count],
            "huge_pages_bytes": anonymous_huge_pages(),
            "setup_profiled": self.setup_profiled,
            "rehearsals_skipped": self.rehearsals_skipped,
            "setup_profile_ms": {
                name: total / 1e6 / self.setup_profiled for name, total in self.setup_cpu_ns.items()
            },
        }

    def _refuse(self, request: Request, message: str) -> None:
        self._send({"id": request.id, "ok": False, "message": message})

    # -- spawning ---------------------------------------------------------------------------

    def _hand_out_ready(self) -> None:
        while self.pending and self.ready:
            self._hand_out(self.pending.popleft(), self.ready.popleft())

    def _client_waiting(self) -> bool:
        return bool(self.control_poll.poll(0))

    def _dispatch(self) -> None:
        self._hand_out_ready()
        starting = sum(
            1 for c in self.children.values() if c.state == "starting" and c.request is None
        )
        target = len(self.pending) + (self.config.pool_size if self.healthy else 0)
        for _ in range(target - len(self.ready) - starting):
            if len(self.children) >= self.config.max_children or self._client_waiting():
                # A fork takes milliseconds: serve a request that arrived meanwhile first.
                break
            if self._spawn() is None and self.pending:
                self._refuse(self.pending.popleft(), self.setup_error)

    def _spawn_for(self, request: Request) -> None:
        record = self._spawn(fresh=request.fresh, probe=request.probe)
        if record is None:
            self._refuse(request, self.setup_error)
        else:
            record.request = request

    def _spawn(self, *, fresh: bool = False, probe: bool = False) -> ChildRecord | None:
        if len(self.children) >= self.config.max_children:
            self.setup_error = "too many live children"
            return None
        job_id = next(self.ids)
        cgroup = None
        if self.cgroups is not None:
            try:
                cgroup = self.cgroups.create(f"child-{job_id}")
            except OSError as exc:
                self.setup_error = f"cgroups: cannot create a child cgroup: {exc}"
                self.healthy = False
                return None
        uid = self.uids.allocate()
        plan = (self.fresh_plan if fresh else self.plan).for_uid(uid)
        if probe:
            plan = replace(plan, probe=True)
        rehearse = fresh or probe or self.cpu_pressure.should_rehearse()
        if not rehearse:
            self.rehearsals_skipped += 1
        fork_started = time.process_time_ns()
        pid, ready_fd, client_fds = fork_child(
            plan,
            self.pidns_fd,
            memory_rlimit=self.cgroups is None,
            fresh=fresh,
            rehearse=rehearse,
        )
        fork_cpu_ns = time.process_time_ns() - fork_started
        pidfd = os.pidfd_open(pid)
        record = ChildRecord(
            job_id=job_id,
            pid=pid,
            pidfd=pidfd,
            uid=uid,
            cgroup=cgroup,
            ready_fd=ready_fd,
            client_fds=client_fds,
            fork_cpu_ns=fork_cpu_ns,
        )
        record.deadline = time.monotonic() + SETUP_TIMEOUT_S
        self.children[job_id] = record
        self.selector.register(ready_fd, selectors.EVENT_READ, ("ready", record))
        self.selector.register(pidfd, selectors.EVENT_READ, ("exit", record))
        if cgroup is not None:
            try:
                # Before the child can be handed a job: its setup reads no student input.
                self.cgroups.attach(cgroup, pid)  # type: ignore[union-attr]
                # The usual limits now, off the job's path; a job asking for others rewrites them.
                self._limit_cgroup(record, DEFAULT_CGROUP_LIMITS)
            except OSError as exc:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
                self.setup_error = f"cgroups: cannot attach a child: {exc}"
                self.healthy = False
        return record

    def _limit_cgroup(self, record: ChildRecord, limits: tuple[int, int]) -> None:
        if record.cgroup_limits != limits:
            memory_bytes, max_processes = limits
            self.cgroups.set_limits(  # type: ignore[union-attr]
                record.cgroup, memory_bytes=memory_bytes, max_processes=max_processes
            )
            record.cgroup_limits = limits

    # -- child events -----------------------------------------------------------------------

    def _read_ready_frame(self, record: ChildRecord) -> dict[str, Any] | None:
        if record.ready_fd is None:
            return None
        os.set_blocking(record.ready_fd, False)
        try:
            data = os.read(record.ready_fd, READY_FRAME_BYTES)
        except BlockingIOError:
            return None
        self.selector.unregister(record.ready_fd)
        close_quietly(record.ready_fd)
        record.ready_fd = None
        try:
            return json.loads(data) if data else {"ok": False, "protection": "setup", "detail": ""}
        except ValueError:
            return {"ok": False, "protection": "setup", "detail": "unreadable ready message"}

    def _setup_failed(self, record: ChildRecord, message: str) -> None:
        self.setup_error = message
        self.healthy = False
        logger.error("sandbox unavailable: %s", message)
        record.state = "failed"
        record.deadline = None
        if record.request is not None:
            self._refuse(record.request, message)
        elif self.pending:
            self._refuse(self.pending.popleft(), message)

    def _on_ready(self, record: ChildRecord) -> None:
        frame = self._read_ready_frame(record)
        if frame is None:
            return
        if not frame.get("ok"):
            detail = frame.get("detail") or "the child died while isolating itself"
            self._setup_failed(record, f"{frame.get('protection', 'setup')}: {detail}")
            return
        record.deadline = None
        record.missing = dict(frame.get("missing", {}))
        self._profile_setup(record, frame.get("cpu_ns"))
        if record.request is not None and record.request.probe:
            record.state = "probing"
            report = {"missing": record.missing, "cgroups": self._cgroup_label()}
            self._send({"id": record.request.id, "ok": True, **report})
            return
        if record.missing:
            logger.warning(
                "UNSAFE: running student code without %s", ", ".join(sorted(record.missing))
            )
        self.healthy = True
        record.state = "ready"
        if record.request is not None:
            self._hand_out(record.request, record)
        else:
            self.ready.append(record)

    def _profile_setup(self, record: ChildRecord, steps: object) -> None:
        if record.request is not None or not isinstance(steps, dict):
            return  # probes and fresh-interpreter children set up differently: not pool costs
        self.setup_cpu_ns["fork (server)"] += record.fork_cpu_ns
        for name in PROFILED_STEPS:
            value = steps.get(name)
            if isinstance(value, int) and value >= 0:
                self.setup_cpu_ns[name] += value
        self.setup_profiled += 1

    def _hand_out(self, request: Request, record: ChildRecord) -> None:
        if record.cgroup is not None and request.limits:
            limits = (int(request.limits["memory_bytes"]), int(request.limits["max_processes"]))
            try:
                self._limit_cgroup(record, limits)
            except OSError as exc:
                signal.pidfd_send_signal(record.pidfd, signal.SIGKILL)
                self._refuse(request, f"cgroups: cannot set limits: {exc}")
                return
        record.state = "running"
        record.request = request
        record.deadline = time.monotonic() + float(request.limits["wall_time_s"]) + BACKSTOP_GRACE_S
        reply = {
            "id": request.id,
            "ok": True,
            "job": record.job_id,
            "pid": record.pid,
            "uid": record.uid,
            "missing": record.missing,
        }
        self._send(reply, [record.pidfd, *record.client_fds])
        close_quietly(*record.client_fds)
        record.client_fds = []
        self.jobs_started += 1

    def _on_exit(self, record: ChildRecord) -> None:
        try:
            pid, status, usage = os.wait4(record.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status, usage = record.pid, 0, None
        if pid == 0:
            return
        if record.state == "starting":
            # Dead before it was handed out: never hand it out now, but keep the reason it
            # gave, if it wrote one before dying.
            frame = self._read_ready_frame(record) or {}
            if frame.get("ok") is False and frame.get("detail"):
                message = f"{frame.get('protection', 'setup')}: {frame['detail']}"
            else:
                message = f"setup: the child died while isolating itself (status {status})"
            self._setup_failed(record, message)
        elif record.state == "ready":
            logger.warning("an idle child died (status %s)", status)
        self.selector.unregister(record.pidfd)
        if record.ready_fd is not None:
            self.selector.unregister(record.ready_fd)
        close_quietly(record.pidfd, record.ready_fd, *record.client_fds)
        peak, oom_killed = None, False
        if record.cgroup is not None and self.cgroups is not None:
            peak, oom_killed = self.cgroups.measure(record.cgroup)
            if not self.cgroups.remove(record.cgroup):
                self.stale_cgroups.append(record.cgroup)
        if peak is None and usage is not None:
            peak = usage.ru_maxrss * 1024
        self.uids.release(record.uid)
        del self.children[record.job_id]
        with contextlib.suppress(ValueError):
            self.ready.remove(record)
        if record.state == "running":
            cpu = (usage.ru_utime + usage.ru_stime) if usage is not None else 0.0
            self._send(
                {
                    "op": "exited",
                    "job": record.job_id,
                    "status": status,
                    "cpu_time_s": cpu,
                    "peak_memory_bytes": peak,
                    "oom_killed": oom_killed,
                }
            )

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for record in list(self.children.values()):
            if record.deadline is not None and record.deadline < now:
                # Backstop only: the client kills at the job's own deadline.
                with contextlib.suppress(OSError):
                    signal.pidfd_send_signal(record.pidfd, signal.SIGKILL)
                record.deadline = None
        if self.stale_cgroups and self.cgroups is not None:
            self.stale_cgroups = [cg for cg in self.stale_cgroups if not self.cgroups.remove(cg)]

    def _shutdown(self) -> None:
        for record in list(self.children.values()):
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(record.pidfd, signal.SIGKILL)
        for record in list(self.children.values()):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(record.pid, 0)
            close_quietly(record.pidfd, record.ready_fd, *record.client_fds)
            if record.cgroup is not None and self.cgroups is not None:
                self.cgroups.remove(record.cgroup)
        if self.cgroups is not None:
            for cgroup in self.stale_cgroups:
                self.cgroups.remove(cgroup)
            self.cgroups.close()
        # Built by this server and only ever mounted read-only by children: see private_directory.
        shutil.rmtree(self.directory, ignore_errors=True)
        close_quietly(self.sock.detach())


def main() -> None:
    """`python -c ...` entry used by the client: argv = [fd of the control socket, config JSON]."""
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.WARNING,
        format="sandbox-server[%(process)d] %(levelname)s %(message)s",
    )
    sock = socket.socket(fileno=int(sys.argv[1]))
    config = SandboxConfig.from_dict(json.loads(sys.argv[2]))
    if config.allow_unsafe:
        logger.warning("UNSAFE MODE: jobs run even when a protection cannot be set up")
    prepare_for_fork(run_warm_up=config.warm_up)
    ForkServer(sock, config).serve_forever()
