from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from config.celery import app as celery_app
from courses import services as course_services
from tests.factories import CourseFactory, MembershipFactory, TopicFactory, UserFactory
from tests.lti.platform import (
    CLIENT_ID,
    CONTEXT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    DictRequest,
    Launch,
    LoopbackPlatform,
    start_platform,
)

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@pytest.fixture
def platform(db) -> Iterator[LoopbackPlatform]:  # noqa: ANN001
    """A registered, activated platform whose keyset URL is a real loopback JWKS."""
    cache.clear()
    platform, server = start_platform()
    call_command(
        "lti_register_platform",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_login_url=f"{platform.base_url}/auth",
        auth_token_url=f"{platform.base_url}/token",
        keyset_url=f"{platform.base_url}/jwks",
        deployment_id=[DEPLOYMENT_ID],
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    # The platform learns the tool's public keys from Stride's JWKS endpoint, as an LMS would.
    platform.registration.set_tool_key_set(Client().get("/lti/jwks/").json())
    platform.registration.set_launch_url("http://testserver/lti/launch/")
    platform.registration.set_oidc_login_url("http://testserver/lti/login/")
    yield platform
    server.shutdown()
    server.server_close()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_eager_propagates = False


@pytest.fixture
def course_with_assignment(db):  # noqa: ANN001, ANN201
    course = CourseFactory(title="CNN shapes 101", join_code="LTIC2345")
    teacher = UserFactory(username="teacher")
    MembershipFactory(course=course, user=teacher, role="instructor")
    topic = TopicFactory(slug="conv-output-size", title="Conv2d output size")
    question = course_services.template_author(
        course=course,
        user=teacher,
        data=course_services.TemplateInput(
            title="Output shape",
            topic=topic,
            family="conv_output",
            difficulty="easy",
            config={"kernel_size": [3, 5], "input_size": [16, 32]},
        ),
    )
    assert course_services.question_publish(question=question, user=teacher).is_valid
    now = timezone.now()
    assignment = course_services.assignment_create(
        course=course,
        user=teacher,
        title="Week 1",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        items=[course_services.ItemInput(question=question, count=1, difficulty="easy")],
        attempts_allowed=3,
        publish=True,
    )
    return course, teacher, assignment


def oidc_login(client: Client, *, login_hint: str = "hint") -> dict[str, str]:
    """Third-party login initiation; returns the auth request Stride sent to the platform."""
    response = client.get(
        "/lti/login/",
        {
            "iss": ISSUER,
            "client_id": CLIENT_ID,
            "login_hint": login_hint,
            "target_link_uri": "http://testserver/lti/launch/",
            "lti_deployment_id": DEPLOYMENT_ID,
            # what the cookie-check page's script adds once it has seen cookies work
            "lti1p3_new_window": "1",
        },
    )
    assert response.status_code == 302, response.content
    return dict(parse_qsl(urlsplit(response["Location"]).query))


def platform_launch(
    platform: LoopbackPlatform,
    auth_request: dict[str, str],
    *,
    sub: str,
    roles: list[str],
    resource_link_id: str = "rl-1",
    custom: dict[str, str] | None = None,
    lineitem: str | None = "1",
    deep_link: bool = False,
    extra: dict[str, Any] | None = None,
    expiration: int = 300,
) -> dict[str, str]:
    """The platform's side of the OIDC auth response: a signed id_token and the state."""
    launch = Launch(DictRequest({"get_data": auth_request}), platform.conf)
    launch.set_user_data(sub, roles, full_name=f"User {sub}", email_address=f"{sub}@lms.example")
    launch.set_launch_context_claim(CONTEXT_ID, context_title="CNN shapes", context_label="CNN101")
    launch.set_resource_link_claim(resource_link_id, title="Week 1")
    if custom:
        launch.set_custom_parameters_claim(custom)
    if lineitem is not None:
        launch.set_ags(
            lineitems_url=f"{platform.base_url}/lineitems",
            lineitem_url=platform.lineitem_url(lineitem),
        )
    launch.set_nrps(f"{platform.base_url}/memberships")
    if deep_link:
        platform.registration.set_deeplink_launch_url("http://testserver/lti/launch/")
        launch.set_dl("http://lms.example.edu/deep-link-return", title="Stride")
    else:
        platform.registration._deeplink_launch_url = None
    if extra:
        launch.set_extra_claims(extra)
    launch.set_id_token_expiration(expiration)
    data = launch.lti_launch()
    return {"id_token": data["id_token"], "state": data["state"]}
