"""Faults with real parts: a worker SIGKILLed mid-grade, Redis restarted, PostgreSQL down."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from django.db import connection
from kombu import Connection

from core import embedded_redis
from grader.models import CodeQuestion, GradeResult, Submission, SubmissionStatus
from grader.questions import get_template
from grader.tasks import grade_submission_task
from tests.grader.conftest import ROOT, WorkerProcess, worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SLOW_GOOD = """
import time
import torch.nn as nn

class Slow(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d({c_in}, {c_out}, kernel_size=5, padding=2)

    def forward(self, x):
        time.sleep(1.5)
        return self.conv(x)

model = Slow()
"""


def _question() -> CodeQuestion:
    variant = get_template("map-shape").generate(seed=1)
    return CodeQuestion.objects.create(slug="faults", title=variant.title, spec=variant.to_dict())


def _submission(question: CodeQuestion, queue: str, index: int = 0) -> Submission:
    variant = question.variant
    _batch, c_in, _h, _w = variant.visible_input
    code = SLOW_GOOD.format(c_in=c_in, c_out=variant.params.get("out_channels", 16))
    return Submission.objects.create(
        question=question,
        session_key=f"faults-{index}",
        kind="submit",
        code=code,
        code_sha256=f"{index:064d}",
        input_shapes=[list(variant.visible_input)],
        queue=queue,
    )


def _wait(predicate, timeout: float, message: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(message)


def test_a_worker_killed_mid_grade_is_replaced_and_the_submission_graded_exactly_once(
    celery_worker, tmp_path
):
    # Given a slow submission being graded by a worker on its own queue
    question = _question()
    submission = _submission(question, "f-kill")
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_INTERVAL": "1"}
    first = WorkerProcess("kill-1", "f-kill", tmp_path / "first.log", **fast_redelivery)
    first.wait_ready()
    grade_submission_task.apply_async(args=[submission.pk], queue="f-kill")
    _wait(
        lambda: Submission.objects.get(pk=submission.pk).status == SubmissionStatus.RUNNING,
        60,
        "the first worker never started grading",
    )
    # when the worker dies with SIGKILL in the middle of it
    first.kill(signal.SIGKILL)
    assert GradeResult.objects.count() == 0
    # and a new worker starts
    second = WorkerProcess("kill-2", "f-kill", tmp_path / "second.log", **fast_redelivery)
    try:
        second.wait_ready()
        _wait(
            lambda: Submission.objects.get(pk=submission.pk).status == SubmissionStatus.GRADED,
            90,
            f"not regraded after the kill; log:\n{second.log()}",
        )
    finally:
        second.stop()
    # then it is graded exactly once, by the second delivery
    graded = Submission.objects.get(pk=submission.pk)
    assert GradeResult.objects.filter(submission=graded).count() == 1
    assert graded.result.score == 1.0
    # (a 3 s visibility timeout may redeliver once more while the new worker is still busy; the
    # claim/unique-result design keeps that to one grade all the same)
    assert graded.task_attempts >= 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_redis(port: int, directory: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            str(embedded_redis.redis_server_binary()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait(lambda: _redis_up(port), 10, "redis did not start")
    return process


def _redis_up(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


def test_submissions_queued_when_redis_restarts_are_not_lost(tmp_path):
    # Given a broker of its own with three submissions queued and no worker yet
    port = _free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    server = _start_redis(port, tmp_path)
    question = _question()
    submissions = [_submission(question, "f-redis", index) for index in range(3)]
    with Connection(broker_url) as broker:
        for submission in submissions:
            grade_submission_task.apply_async(
                args=[submission.pk], queue="f-redis", connection=broker
            )
    assert redis.Redis(port=port).llen("f-redis") == 3
    # when Redis restarts without persistence, losing every queued message
    server.terminate()
    server.wait(timeout=10)
    server = _start_redis(port, tmp_path)
    assert redis.Redis(port=port).llen("f-redis") == 0
    # and a worker starts on it
    worker = WorkerProcess(
        "redis",
        "f-redis",
        tmp_path / "worker.log",
        TEST_CELERY_BROKER_URL=broker_url,
        GRADER_REQUEUE_QUEUED_AFTER_S="0",
    )
    try:
        _wait(
            lambda: Submission.objects.filter(status=SubmissionStatus.GRADED).count() == 3,
            120,
            f"queued work was lost; log:\n{worker.log_path.read_text(errors='replace')[-3000:]}",
        )
    finally:
        worker.stop()
        server.terminate()
        server.wait(timeout=10)
    # then every submission was graded from the database's record, once each
    assert GradeResult.objects.count() == 3
    assert {r.score for r in GradeResult.objects.all()} == {1.0}


class _TcpProxy:
    """A loopback TCP forwarder we can cut, standing in for a PostgreSQL outage."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_open = True
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.is_open:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.connections += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.close()

    def cut(self) -> None:
        self.is_open = False
        for end in self.connections:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.cut()
        self.listener.close()


def _http(url: str, body: dict | None = None) -> tuple[int, dict[str, str], str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _http_ok(url: str) -> bool:
    try:
        return _http(url)[0] == 200
    except OSError:
        return False


def test_postgresql_down_gives_a_clear_503_and_writes_nothing(tmp_path):
    # Given the web server running against PostgreSQL through a proxy we can cut
    question = _question()
    settings_dict = connection.settings_dict
    proxy = _TcpProxy(int(settings_dict["PORT"] or 5432))
    web_port = _free_port()
    environment = worker_environment(
        TEST_DATABASE_URL=(
            f"postgres://{settings_dict['USER']}@127.0.0.1:{proxy.port}/{settings_dict['NAME']}"
        ),
    )
    log = (tmp_path / "web.log").open("wb")
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{web_port}"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{web_port}"
    try:
        _wait(lambda: _http_ok(base + "/healthz"), 60, "web server did not start")
        # when PostgreSQL becomes unreachable
        proxy.cut()
        api = _http(
            f"{base}/api/v1/code-questions/{question.slug}/submissions/",
            {"code": "import torch.nn as nn\nmodel = nn.Identity()\n", "kind": "submit"},
        )
        page = _http(f"{base}/code/{question.slug}/")
        health = _http(f"{base}/healthz")
    finally:
        web.terminate()
        web.wait(timeout=20)
        log.close()
        proxy.close()
    # then the API says so clearly, the page too, and nothing was written
    status, headers, body = api
    assert status == 503, body
    assert json.loads(body)["code"] == "service_unavailable"
    assert "database is unavailable" in json.loads(body)["detail"]
    assert headers["Retry-After"] == "5"
    assert page[0] == 503
    assert "Briefly unavailable" in page[2]
    assert health[0] == 503
    assert Submission.objects.count() == 0
