from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses import services
from courses.models import Role
from tests.factories import CourseFactory, MembershipFactory, TopicFactory, UserFactory


@pytest.fixture
def course(db):  # noqa: ANN001, ANN201
    course = CourseFactory(title="CNN shapes 101", join_code="ABCD2345")
    MembershipFactory(course=course, user=UserFactory(username="ada"), role=Role.INSTRUCTOR)
    return course


@pytest.fixture
def instructor(course):  # noqa: ANN001, ANN201
    return course.memberships.get(role=Role.INSTRUCTOR).user


@pytest.fixture
def students(course):  # noqa: ANN001, ANN201
    return [
        MembershipFactory(course=course, user=UserFactory(username=f"s{i}")).user for i in range(3)
    ]


@pytest.fixture
def published_template(course, instructor):  # noqa: ANN001, ANN201
    topic = TopicFactory(slug="conv-output-size", title="Conv2d output size")
    authored = services.template_author(
        course=course,
        user=instructor,
        data=services.TemplateInput(
            title="Output shape",
            topic=topic,
            family="conv_output",
            difficulty="easy",
            config={"kernel_size": [3, 5], "input_size": [16, 32]},
        ),
    )
    report = services.question_publish(question=authored, user=instructor)
    assert report.is_valid, report.errors
    return authored


@pytest.fixture
def open_assignment(course, instructor, published_template):  # noqa: ANN001, ANN201
    now = timezone.now()
    return services.assignment_create(
        course=course,
        user=instructor,
        title="Week 1",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        items=[services.ItemInput(question=published_template, count=2, difficulty="easy")],
        attempts_allowed=2,
        publish=True,
    )
