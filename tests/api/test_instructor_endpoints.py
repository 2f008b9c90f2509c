"""Answer keys only for the owning course's instructors; bank import and export for staff and
instructors, a broken bank refused whole with its line-level errors."""

from __future__ import annotations

import pytest
import yaml
from rest_framework.test import APIClient

from courses import services as course_services
from courses.models import Role
from grader.models import CodeQuestion
from grader.questions import get_template
from quizzes import services as quiz_services
from quizzes.models import QuestionTemplate, Topic
from tests.api.conftest import login
from tests.factories import CourseFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(db):  # noqa: ANN001, ANN201
    course = CourseFactory(title="Vision 101")
    teacher, pupil, outsider = (UserFactory(username=n) for n in ("turing", "lovelace", "hopper"))
    MembershipFactory(course=course, user=teacher, role=Role.INSTRUCTOR)
    MembershipFactory(course=course, user=pupil, role=Role.STUDENT)
    MembershipFactory(course=CourseFactory(title="B"), user=outsider, role=Role.INSTRUCTOR)
    topic = TopicFactory(slug="conv-output-size", title="Conv2d output size")
    authored = course_services.template_author(
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
    variant = quiz_services.variant_get_or_create(
        template=authored.template, seed=7, difficulty="easy"
    )
    return teacher, pupil, outsider, variant


def _callers(teacher, pupil, outsider) -> dict[str, APIClient]:  # noqa: ANN001
    return {
        "anonymous": APIClient(),
        "student": login(APIClient(), pupil),
        "another course's instructor": login(APIClient(), outsider),
        "instructor": login(APIClient(), teacher),
    }


def test_a_variants_answer_key_is_only_for_its_courses_instructors(owned):
    teacher, pupil, outsider, variant = owned
    url = f"/api/v1/answer-keys/variants/{variant.pk}/"
    seen = {name: client.get(url) for name, client in _callers(teacher, pupil, outsider).items()}
    assert {name: r.status_code for name, r in seen.items()} == {
        "anonymous": 401,
        "student": 403,
        "another course's instructor": 404,
        "instructor": 200,
    }
    for name in ("anonymous", "student", "another course's instructor"):
        assert seen[name]["Content-Type"] == "application/problem+json"
        assert variant.generated.answer.display not in seen[name].content.decode()
    key = seen["instructor"].json()
    assert key["answer"] == variant.generated.answer.display
    assert key["solution_steps"]
    assert key["course"] == variant.template.authored.course_id


def test_a_code_questions_reference_is_only_for_its_courses_instructors(owned):
    teacher, pupil, outsider, _variant = owned
    spec = get_template("map-shape").generate(seed=1).to_dict()
    data = course_services.CodeQuestionInput(
        title="Keep the size",
        prompt="Build a conv that keeps the map size.",
        starter_code="",
        reference_code=spec["reference_code"],
        entry=spec["entry"],
        visible_input=tuple(spec["visible_input"]),
        hidden_inputs=tuple(spec["hidden_inputs"]),
    )
    authored = course_services.code_question_author(
        course=teacher.course_memberships.get().course, user=teacher, data=data
    )
    slug = authored.code_question.slug
    url = f"/api/v1/answer-keys/code-questions/{slug}/"
    codes = {
        name: client.get(url).status_code
        for name, client in _callers(teacher, pupil, outsider).items()
    }
    assert codes == {
        "anonymous": 401,
        "student": 403,
        "another course's instructor": 404,
        "instructor": 200,
    }


def test_a_catalogue_code_questions_reference_is_for_staff_only(owned):
    teacher, pupil, outsider, _variant = owned
    question = CodeQuestion.objects.create(
        slug="map-shape-1", title="Map", spec=get_template("map-shape").generate(seed=1).to_dict()
    )
    url = f"/api/v1/answer-keys/code-questions/{question.slug}/"
    callers = _callers(teacher, pupil, outsider)
    callers["staff"] = login(APIClient(), UserFactory(username="root", is_staff=True))
    codes = {name: client.get(url).status_code for name, client in callers.items()}
    assert codes == {
        "anonymous": 401,
        "student": 404,
        "another course's instructor": 404,
        "instructor": 404,
        "staff": 200,
    }
    assert callers["staff"].get(url).json()["reference_code"] == question.spec["reference_code"]


def test_bank_export_then_import_round_trips_for_instructors_only(owned):
    teacher, pupil, _outsider, _variant = owned
    student = login(APIClient(), pupil)
    assert student.get("/api/v1/bank/export/").status_code == 403
    assert APIClient().get("/api/v1/bank/export/").status_code == 401
    assert student.post("/api/v1/bank/import/", {"text": "x"}, format="json").status_code == 403
    instructor = login(APIClient(), teacher)
    exported = instructor.get("/api/v1/bank/export/")
    assert exported.status_code == 200
    text = exported.json()["text"]
    assert "conv-output-size" in yaml.safe_load(text)["topics"][0]["slug"]
    imported = instructor.post("/api/v1/bank/import/", {"text": text}, format="json")
    assert imported.status_code == 201, imported.json()
    assert isinstance(imported.json()["imported"], dict)


def test_a_broken_bank_is_a_400_problem_with_line_errors_and_imports_nothing(owned):
    teacher, *_ = owned
    topics, templates = Topic.objects.count(), QuestionTemplate.objects.count()
    broken = (
        "format: stride-bank/1\n"
        "topics:\n"
        "  - slug: new-topic\n"
        "    title: New topic\n"
        "templates:\n"
        "  - slug: broken-one\n"
        "    topic: no-such-topic\n"
        "    family: not-a-family\n"
    )
    response = login(APIClient(), teacher).post(
        "/api/v1/bank/import/", {"text": broken}, format="json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid"
    assert "nothing was imported" in problem["detail"]
    assert problem["errors"]["text"]
    assert all("line" in e for e in problem["errors"]["text"])
    assert (Topic.objects.count(), QuestionTemplate.objects.count()) == (topics, templates)
