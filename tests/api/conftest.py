"""Fixtures of the API tests: users, a published template, a code question, API clients."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from grader.models import CodeQuestion
from grader.questions import get_template
from tests.factories import QuestionTemplateFactory, TopicFactory, UserFactory


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def student(db):  # noqa: ANN001, ANN201 - pytest fixture
    return UserFactory(username="ada")


@pytest.fixture
def other_student(db):  # noqa: ANN001, ANN201 - pytest fixture
    return UserFactory(username="grace")


@pytest.fixture
def staff_instructor(db):  # noqa: ANN001, ANN201 - pytest fixture
    return UserFactory(username="prof", is_staff=True)


@pytest.fixture
def template(db):  # noqa: ANN001, ANN201 - pytest fixture
    topic = TopicFactory(slug="conv-output-size", title="Conv2d output size", position=1)
    return QuestionTemplateFactory(
        slug="conv-output-medium", topic=topic, family="conv_output", difficulty="medium"
    )


@pytest.fixture
def code_question(db):  # noqa: ANN001, ANN201 - pytest fixture
    variant = get_template("map-shape").generate(seed=1)
    return CodeQuestion.objects.create(
        slug="map-shape-1", title=variant.title, spec=variant.to_dict()
    )


def login(client: APIClient, user) -> APIClient:  # noqa: ANN001
    client.force_authenticate(user=None)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():  # noqa: ANN202 - throttles count in the cache; tests start at 0
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
