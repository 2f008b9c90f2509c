"""The fork-server's own health: pitfalls, crashes, restarts, concurrency, failing closed."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from sandbox import SandboxClient, SandboxConfig, Status
from tests.sandbox.helpers import make_job

IDENTITY = "model = nn.Identity()\n"


def test_parent_never_initialises_cuda_nor_starts_threads(sandbox_client):
    sandbox_client.run(make_job(IDENTITY))

    info = sandbox_client.info()

    assert info["cuda_initialized"] is False
    assert info["threads"] == 1  # no OpenMP or OpenBLAS pool to break at fork
    with open(f"/proc/{info['pid']}/environ", "rb") as environ:
        assert environ.read() == b""


def test_server_survives_a_crashing_child(sandbox_client):
    server_pid = sandbox_client.server_pid()

    crashed = sandbox_client.run(make_job("import ctypes\nctypes.string_at(0)\n"))
    after = sandbox_client.run(make_job(IDENTITY))

    assert crashed.status is Status.KILLED
    assert crashed.message == "the snippet's process was killed by SIGSEGV"
    assert after.status is Status.OK
    assert sandbox_client.server_pid() == server_pid


def test_child_exit_paths_never_return_into_the_server(sandbox_client):
    server_pid = sandbox_client.server_pid()
    snippets = [
        "import sys\nsys.exit(0)\n",
        "import os\nos._exit(0)\n",
        "raise KeyboardInterrupt\n",
    ]

    outcomes = [sandbox_client.run(make_job(code)) for code in snippets]

    assert [outcome.status for outcome in outcomes] == [
        Status.ERROR,
        Status.INVALID_RESULT,
        Status.ERROR,
    ]
    assert outcomes[0].error.type == "SystemExit"
    assert sandbox_client.server_pid() == server_pid
    assert sandbox_client.run(make_job(IDENTITY)).status is Status.OK


def test_concurrent_jobs_from_many_threads_each_get_their_own_answer(sandbox_client):
    code = "model = nn.Conv2d(3, 5, 3)\n"
    sizes = list(range(8, 20))

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda n: sandbox_client.run(make_job(code, (1, 3, n, n))), sizes))

    assert [outcome.output_shapes for outcome in outcomes] == [
        ((1, 5, n - 2, n - 2),) for n in sizes
    ]


def test_client_restarts_a_server_that_died(sandbox_client):
    old_pid = sandbox_client.server_pid()
    os.kill(old_pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while sandbox_client._server is not None and not sandbox_client._server.dead:
        assert time.monotonic() < deadline
        time.sleep(0.01)

    outcome = sandbox_client.run(make_job(IDENTITY))

    assert outcome.status is Status.OK, outcome.message
    assert sandbox_client.server_pid() != old_pid


def test_a_missing_protection_refuses_the_job(client_without_seccomp):
    outcome = client_without_seccomp.run(make_job(IDENTITY))

    assert outcome.status is Status.SANDBOX_UNAVAILABLE
    assert outcome.message == "seccomp: simulated failure (testing hook)"
    assert outcome.results == ()
    assert outcome.stdout == ""


def test_the_unsafe_development_flag_runs_and_says_what_is_missing(caplog):
    with SandboxClient(
        SandboxConfig(simulate_missing=frozenset({"seccomp"}), allow_unsafe=True, warm_up=False)
    ) as client:
        outcome = client.run(make_job(IDENTITY))

    assert outcome.status is Status.OK
    assert outcome.missing_protections == ("seccomp",)


def test_the_unsafe_flag_is_read_from_the_environment(caplog):
    config = SandboxConfig.from_environment({"STRIDE_SANDBOX_ALLOW_UNSAFE": "true"})

    assert config.allow_unsafe is True
    assert "Development only" in caplog.text
    assert SandboxConfig.from_environment({}).allow_unsafe is False


def test_info_says_where_a_pool_childs_set_up_went(sandbox_client):
    sandbox_client.run(make_job(IDENTITY))

    info = sandbox_client.info()

    assert info["setup_profiled"] >= 1
    profile = info["setup_profile_ms"]
    assert {"fork (server)", "network_namespace", "filesystem", "seccomp", "rehearsal"} <= set(
        profile
    )
    assert all(ms >= 0 for ms in profile.values())
    # The rehearsal runs torch under every protection: never free.
    assert profile["rehearsal"] > 0
