"""The courses' sections of a bank file hold reference solutions and answer keys: through the API
an instructor exports and imports only the courses they teach (issue 7: instructors see them only
for their own courses); staff and the command line see every course."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from courses import services as course_services
from courses.models import AuthoredQuestion, Role
from grader.questions import get_template
from tests.factories import CourseFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _course_with_a_written_question(join_code: str, username: str):  # noqa: ANN202
    course = CourseFactory(title=f"Course {join_code}", join_code=join_code)
    teacher = UserFactory(username=username)
    MembershipFactory(course=course, user=teacher, role=Role.INSTRUCTOR)
    spec = get_template("map-shape").generate(seed=4).to_dict()
    course_services.code_question_author(
        course=course,
        user=teacher,
        data=course_services.CodeQuestionInput(
            title=f"Map for {join_code}",
            prompt=spec["prompt"],
            starter_code=spec["starter_code"],
            reference_code=f"# the reference of {join_code}\n" + spec["reference_code"],
            entry=spec["entry"],
            visible_input=tuple(spec["visible_input"]),
            hidden_inputs=tuple(spec["hidden_inputs"]),
            constraints=tuple(spec["constraints"]),
        ),
    )
    course_services.template_author(
        course=course,
        user=teacher,
        data=course_services.TemplateInput(
            title=f"Shapes of {join_code}",
            topic=TopicFactory(slug="conv-output-size", title="Conv2d output size"),
            family="conv_output",
            difficulty="easy",
            config={},
        ),
    )
    return course, teacher


@pytest.fixture
def two_courses():  # noqa: ANN201
    return (
        _course_with_a_written_question("MINE2345", "mine"),
        _course_with_a_written_question("THEM2345", "them"),
    )


def _client(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_instructor_exports_only_their_own_courses(two_courses):
    (_mine, teacher), _theirs = two_courses

    text = _client(teacher).get("/api/v1/bank/export/").json()["text"]

    document = yaml.safe_load(text)
    assert [row["course"] for row in document["course_code_questions"]] == ["MINE2345"]
    assert [row["course"] for row in document["course_templates"]] == ["MINE2345"]
    assert "the reference of THEM2345" not in text
    assert "THEM2345" not in text
    assert "Shapes of THEM2345" not in text  # nor as a public template under its storage slug


def test_staff_and_the_command_line_export_every_course(two_courses, capsys):
    staff = UserFactory(username="admin", is_staff=True)
    text = _client(staff).get("/api/v1/bank/export/").json()["text"]
    call_command("export_bank")
    for exported in (text, capsys.readouterr().out):
        rows = yaml.safe_load(exported)["course_code_questions"]
        assert [row["course"] for row in rows] == ["MINE2345", "THEM2345"]


def test_an_instructor_cannot_import_into_a_course_they_do_not_teach(two_courses):
    (_mine, teacher), (theirs, _other) = two_courses
    staff_export = yaml.safe_load(
        _client(UserFactory(username="admin", is_staff=True))
        .get("/api/v1/bank/export/")
        .json()["text"]
    )
    [their_row] = [r for r in staff_export["course_code_questions"] if r["course"] == "THEM2345"]
    their_row["spec"]["reference_code"] = "import torch.nn as nn\nmodel = nn.Identity()\n"
    their_row["title"] = "Replaced"
    document = {"format": "stride-bank/1", "topics": [], "templates": []}
    document["course_code_questions"] = [their_row]

    response = _client(teacher).post(
        "/api/v1/bank/import/", {"text": yaml.safe_dump(document)}, format="json"
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]["text"]
    assert error.endswith("no course has the join code 'THEM2345'")  # no hint that it exists
    question = AuthoredQuestion.objects.get(course=theirs, kind="code")
    assert (question.version, question.title) == (1, "Map for THEM2345")
