"""The attack suite's fixtures: one warm sandbox for every attack, and what is checked from outside
after each one.

After every test in this directory, whatever the attack was:
- no Outcome the test produced holds a secret of the host (the canary planted in this process's
  environment, a password hash of /etc/shadow, the project's secret key);
- the fork-server has the pid it had at the start of the session, and answers a plain Conv2d job
  correctly in less than a second;
- every process of the sandbox's uid range is an idle pool child (the init of its own pid
  namespace, waiting in a fork-server): nothing of the attack is left running;
- the fork-server's area on the host (the root template its children mount read-only) holds the
  same files as before the attack, none of them owned by a sandbox uid;
- the host's /tmp, /var/tmp and /dev/shm hold no file of a sandbox uid.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox import InputSpec, Job, Limits, Outcome, SandboxClient, SandboxConfig, Status
from tests.sandbox.attacks.observe import (
    HOST_SCRATCH,
    files_owned_by,
    host_secrets,
    report_of,
    server_area,
    stray_sandbox_processes,
    tree,
    wait_for,
)

SNIPPETS = Path(__file__).parent / "snippets"
CONFIG = SandboxConfig()
UID_RANGE = range(CONFIG.uid_base, CONFIG.uid_base + CONFIG.uid_count)

# Planted at import, that is at collection time, before any sandbox server of this session can
# start: a server or child that inherited the worker's environment would carry these.
CANARY = "stride-canary-" + secrets.token_hex(16)
os.environ["STRIDE_CANARY_SECRET"] = CANARY
os.environ["STRIDE_CANARY_DATABASE_URL"] = f"postgres://stride:{CANARY}@127.0.0.1:5432/stride"

# Attacks that end on their own (or are refused) take well under a second.
QUICK = Limits(wall_time_s=5.0, cpu_time_s=5)
# Attacks that only a limit can end: keep the suite short.
HANG = Limits(wall_time_s=2.0, cpu_time_s=2)
# How long after its wall-clock limit a job may take to be reported: the kill of a whole pid
# namespace, the drain of its pipes, the server's exit report.
KILL_LATENCY_S = 3.0

HEALTH_CODE = "from torch import nn\nmodel = nn.Conv2d(3, 8, 3)\n"
HEALTH_SHAPE = (1, 3, 32, 32)
HEALTHY_OUTPUT = (1, 8, 30, 30)
HEALTHY_WITHIN_S = 1.0


@dataclass
class Attacker:
    """Runs snippets from snippets/ through the real sandbox and keeps every Outcome."""

    client: SandboxClient
    server_pid: int
    outcomes: list[Outcome] = field(default_factory=list)
    elapsed: list[float] = field(default_factory=list)

    def job(
        self,
        snippet: str | None = None,
        *,
        code: str | None = None,
        limits: Limits = QUICK,
        shapes: tuple[tuple[int, ...], ...] = (HEALTH_SHAPE,),
        filename: str | None = None,
    ) -> Job:
        if code is None:
            code = (SNIPPETS / snippet).read_text(encoding="utf-8")
        return Job(
            code=code,
            inputs=tuple(InputSpec(shape) for shape in shapes),
            limits=limits,
            filename=filename or snippet or "snippet.py",
        )

    def run(self, snippet: str | None = None, **options) -> Outcome:
        job = self.job(snippet, **options)
        started = time.monotonic()
        outcome = self.client.run(job)
        self.elapsed.append(time.monotonic() - started)
        self.outcomes.append(outcome)
        return outcome

    def run_concurrently(self, first: str, second: str, **options) -> tuple[Outcome, Outcome]:
        """Two jobs at once (the machine has two cores; the pool holds two ready children)."""
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(self.run, name, **options) for name in (first, second)]
            return futures[0].result(), futures[1].result()

    def report(self, snippet: str, **options) -> tuple[Outcome, dict]:
        """Run a snippet that prints a REPORT line and must otherwise succeed."""
        outcome = self.run(snippet, **options)
        assert outcome.status is Status.OK, (outcome.status, outcome.message, outcome.stderr)
        return outcome, report_of(outcome)

    def reported(self, snippet: str, **options) -> dict:
        return self.report(snippet, **options)[1]


@pytest.fixture(scope="session")
def attack_client() -> Iterator[SandboxClient]:
    """The suite's own warm sandbox, started after the canary was planted."""
    client = SandboxClient(CONFIG)
    yield client
    pid = client.server_pid()
    client.close()
    assert server_area(pid) == [], "the server left its area on the host behind"
    # After the server's shutdown nothing of the sandbox's uid range may remain, except what
    # runs under another live server (the rest of tests/sandbox, other sessions).
    leftovers = wait_for(lambda: stray_sandbox_processes(UID_RANGE, server_pid=None, pool_size=0))
    assert leftovers == [], f"sandbox processes outlived the server: {leftovers}"


@pytest.fixture(scope="session")
def server_pid(attack_client: SandboxClient) -> int:
    return attack_client.server_pid()


@pytest.fixture(scope="session")
def server_area_before(server_pid: int) -> frozenset[str]:
    """What the server keeps on the host for its children, before any attack ran."""
    return tree(server_area(server_pid))


@pytest.fixture(scope="session")
def secrets_of_the_host() -> tuple[str, ...]:
    return (CANARY, *host_secrets())


@pytest.fixture
def attacker(attack_client: SandboxClient, server_pid: int) -> Attacker:
    return Attacker(attack_client, server_pid)


def assert_server_area_untouched(server_pid: int, before: frozenset[str]) -> None:
    area = server_area(server_pid)
    assert tree(area) == before, f"files appeared in or vanished from {area}"
    assert files_owned_by(UID_RANGE, area) == []


def assert_healthy(attacker: Attacker) -> None:
    """The server survived with the same pid and still answers a normal job, fast."""
    assert attacker.client.server_pid() == attacker.server_pid, "the fork-server was replaced"
    job = attacker.job(code=HEALTH_CODE, filename="health.py")
    started = time.monotonic()
    outcome = attacker.client.run(job)
    elapsed = time.monotonic() - started
    assert outcome.status is Status.OK, (outcome.status, outcome.message, outcome.stderr)
    assert outcome.output_shapes == (HEALTHY_OUTPUT,)
    assert elapsed < HEALTHY_WITHIN_S, f"a plain Conv2d job took {elapsed:.2f} s after the attack"
    assert attacker.client.server_pid() == attacker.server_pid


@pytest.fixture(autouse=True)
def contained_and_healthy(
    attacker: Attacker,
    secrets_of_the_host: tuple[str, ...],
    server_area_before: frozenset[str],
) -> Iterator[None]:
    yield
    for outcome in attacker.outcomes:
        text = outcome.to_json()
        leaked = [secret for secret in secrets_of_the_host if secret in text]
        assert leaked == [], f"an Outcome holds a secret of the host: {leaked}"
    stray = wait_for(
        lambda: stray_sandbox_processes(
            UID_RANGE, server_pid=attacker.server_pid, pool_size=CONFIG.pool_size
        )
    )
    assert stray == [], f"processes of the attack are still running: {stray}"
    assert_healthy(attacker)
    assert_server_area_untouched(attacker.server_pid, server_area_before)
    assert files_owned_by(UID_RANGE, HOST_SCRATCH) == []
