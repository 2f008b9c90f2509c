"""Shared fixtures. Database tests use the real PostgreSQL configured in config.settings.test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from tests.factories import QuestionTemplateFactory, TopicFactory
from tests.grader.conftest import WorkerProcess, purge_broker


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def conv_template(db):  # noqa: ANN001, ANN201 - pytest fixture
    topic = TopicFactory(slug="conv-output-size", title="Conv2d output size")
    return QuestionTemplateFactory(
        slug="conv-output-medium", topic=topic, family="conv_output", difficulty="medium"
    )


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[WorkerProcess]:  # noqa: ANN001
    """One real worker on queue cpu for the whole session (starting one costs seconds)."""
    purge_broker()
    worker = WorkerProcess("cpu", "cpu", tmp_path_factory.mktemp("worker") / "worker.log")
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


# Tests that start real processes (sandbox servers, Celery workers, web servers, browsers) or
# depend on timing run one at a time after the rest; everything else may run in parallel
# (make test runs `-m "not serial"` with pytest-xdist, then `-m serial`).
SERIAL_PATHS = ("tests/sandbox/", "tests/e2e/", "tests/grader/test_faults.py")
SERIAL_FIXTURES = {"celery_worker", "live_server", "sandbox_client"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if (
            item.nodeid.startswith(SERIAL_PATHS)
            or SERIAL_FIXTURES & set(getattr(item, "fixturenames", ()))
            or item.get_closest_marker("integration")
            or item.get_closest_marker("e2e")
        ):
            item.add_marker(pytest.mark.serial)
