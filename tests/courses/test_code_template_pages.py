"""Authoring pages for course code questions drawn from a built-in template: pick, preview several
seeds with their answers, save, edit into a new version (issue 6, gap 2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses import services
from courses.models import AuthoredQuestion, Role
from grader.questions import get_template
from tests.factories import MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_page_previews_four_seeds_with_their_expected_output(client, course, instructor):
    client.force_login(instructor)
    response = client.get(
        reverse("teach:code-template-new", args=[course.pk]) + "?template=map-shape"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card code-preview"') == 4
    assert html.count("Expected output: <strong>") == 4
    seed_two = get_template("map-shape").generate(seed=2)
    assert f"<code>{seed_two.visible_input}</code>" in html
    assert '<option value="map-shape" selected>' in html


def test_posting_creates_a_draft_drawn_from_the_template(client, course, instructor):
    topic = TopicFactory(slug="conv-output-size", title="Conv2d output size")
    client.force_login(instructor)
    response = client.post(
        reverse("teach:code-template-new", args=[course.pk]),
        {"template": "downsample-by-four", "title": "Shrink it", "topic": topic.pk, "save": "1"},
    )
    authored = AuthoredQuestion.objects.get(course=course)
    assert response.status_code == 302
    assert response["Location"] == reverse("teach:question", args=[authored.pk])
    assert (authored.kind, authored.status, authored.title) == ("code", "draft", "Shrink it")
    assert authored.code_question.topic == topic
    assert (
        authored.code_question.spec == get_template("downsample-by-four").generate(seed=1).to_dict()
    )
    assert authored.code_question.is_published is False
    # and its page shows the seeded previews above the course's own version
    page = client.get(response["Location"]).content.decode()
    assert page.count('class="card code-preview"') == 4


def test_editing_a_published_one_creates_a_new_version_on_the_template_page(
    client, course, instructor
):
    authored = services.code_template_author(
        course=course, user=instructor, template_slug="map-shape", title="Map"
    )
    assert services.question_publish(question=authored, user=instructor, use_sandbox=False).is_valid
    client.force_login(instructor)
    edit_url = reverse("teach:question-edit", args=[authored.pk])
    page = client.get(edit_url).content.decode()
    assert 'id="code-template-form"' in page
    assert "saving creates version 2" in page

    client.post(edit_url, {"template": "downsample-by-four", "title": "Map, harder"})

    versions = list(AuthoredQuestion.objects.filter(course=course).order_by("version"))
    assert [(q.version, q.is_current) for q in versions] == [(1, False), (2, True)]
    assert versions[1].code_question.spec["template"] == "downsample-by-four"
    assert versions[0].code_question.spec["template"] == "map-shape"


def test_an_unknown_template_is_a_form_error_not_a_500(client, course, instructor):
    client.force_login(instructor)
    response = client.post(
        reverse("teach:code-template-new", args=[course.pk]), {"template": "nope", "title": "X"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not AuthoredQuestion.objects.exists()


def test_only_the_course_instructors_may_use_it(client, course):
    student = MembershipFactory(course=course, user=UserFactory(username="pupil")).user
    outsider = UserFactory(username="other")
    MembershipFactory(user=outsider, role=Role.INSTRUCTOR)
    url = reverse("teach:code-template-new", args=[course.pk])
    # a student is refused; to another course's instructor this course does not exist
    for user, status in ((student, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(url + "?template=map-shape").status_code == status
        assert client.post(url, {"template": "map-shape"}).status_code == status
    assert not AuthoredQuestion.objects.exists()
