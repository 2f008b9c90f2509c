"""A bank import runs the authoring pages' validation before writing anything (issue 6, gap 1):
a template whose ranges build impossible questions, or a code question whose reference fails, is
refused with its line and field, through the command and the API alike, and the database stays
exactly as it was."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from core.services import _template_samples, bank_import_all, bank_parse_all
from courses.models import AuthoredQuestion, Role
from courses.validation import TEMPLATE_SAMPLE_SEEDS
from grader.models import CodeQuestion
from grader.questions import get_template
from quizzes.bank import BankError
from quizzes.models import QuestionTemplate, Topic
from tests.factories import CourseFactory, MembershipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

# transposed with padding fixed at 5 parses (5 is inside the family's bounds) but builds
# questions whose key is a negative height: only sampling seeds finds that.
IMPOSSIBLE_RANGES = """format: stride-bank/1
topics:
  - slug: transposed-convs
    title: Transposed convolutions (renamed)
templates:
  - slug: transposed-fine
    title: Transposed, default ranges
    topic: transposed-convs
    family: transposed
    difficulty: medium
  - slug: transposed-padded
    title: Transposed with a big padding
    topic: transposed-convs
    family: transposed
    difficulty: easy
    config: {padding: [5, 5]}
"""


@pytest.fixture
def existing_topic() -> Topic:
    return TopicFactory(slug="transposed-convs", title="Transposed convolutions")


def _database_state() -> tuple:
    return (
        list(Topic.objects.order_by("slug").values_list("slug", "title")),
        QuestionTemplate.objects.count(),
        CodeQuestion.objects.count(),
        AuthoredQuestion.objects.count(),
    )


def test_a_template_whose_ranges_build_impossible_questions_is_refused_by_line(
    tmp_path, existing_topic
):
    path = tmp_path / "bank.yaml"
    path.write_text(IMPOSSIBLE_RANGES)
    before = _database_state()

    with pytest.raises(CommandError) as caught:
        call_command("import_bank", str(path))

    message = str(caught.value)
    assert "nothing was imported" in message
    assert f"{path}: line 11: template 'transposed-padded', config: easy, seed" in message
    assert "is negative" in message
    assert "transposed-fine" not in message  # the valid template is not blamed
    assert _database_state() == before  # not even the topic's new title


def test_a_draft_template_is_stored_without_sampling_as_the_authoring_page_saves_drafts():
    text = IMPOSSIBLE_RANGES + "    published: false\n"
    data, code = bank_parse_all(text)
    counts = bank_import_all(data=data, code_questions=code)
    assert counts["templates_created"] == 2
    assert QuestionTemplate.objects.get(slug="transposed-padded").is_published is False


def test_the_api_import_runs_the_same_validation(existing_topic):
    instructor = UserFactory(username="prof")
    course = CourseFactory(join_code="APIC2345")
    MembershipFactory(course=course, user=instructor, role=Role.INSTRUCTOR)
    client = Client()
    client.force_login(instructor)
    before = _database_state()

    response = client.post(
        "/api/v1/bank/import/", {"text": IMPOSSIBLE_RANGES}, content_type="application/json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]["text"]
    assert len(errors) >= 1
    assert all(e.startswith("line 11: template 'transposed-padded'") for e in errors)
    assert _database_state() == before


def _course_question(*, reference: str, status: str, starter: str = "") -> dict:
    spec = get_template("map-shape").generate(seed=2).to_dict()
    return {
        "course": "BANK2345",
        "lineage": "own-map",
        "title": "Our own map",
        "status": status,
        "spec": {
            "prompt": spec["prompt"],
            "starter_code": starter or spec["starter_code"],
            "reference_code": reference,
            "entry": spec["entry"],
            "visible_input": spec["visible_input"],
            "hidden_inputs": spec["hidden_inputs"],
            "constraints": spec["constraints"],
            "device": "cpu",
            "params": {"is_fix_it": bool(starter)},
        },
    }


def _bank(*course_questions: dict) -> str:
    return yaml.safe_dump(
        {
            "format": "stride-bank/1",
            "topics": [{"slug": "fresh-topic", "title": "Fresh"}],
            "templates": [],
            "course_code_questions": list(course_questions),
        },
        sort_keys=False,
    )


@pytest.fixture
def bank_course():  # noqa: ANN201
    course = CourseFactory(join_code="BANK2345")
    MembershipFactory(course=course, user=UserFactory(username="author"), role=Role.INSTRUCTOR)
    return course


def test_a_published_code_question_whose_reference_fails_is_refused(bank_course):
    text = _bank(_course_question(reference="import torch\nmodel = 1 / 0\n", status="published"))
    before = _database_state()

    with pytest.raises(BankError) as caught:
        bank_parse_all(text)

    [error] = caught.value.errors
    assert error.startswith(
        "line 7: course code question 'own-map' of course BANK2345, spec: the reference fails"
    )
    assert "ZeroDivisionError" in error
    assert _database_state() == before  # no topic "fresh-topic", no question


def test_a_published_code_question_with_a_working_reference_is_imported(bank_course):
    good = get_template("map-shape").generate(seed=2).reference_code
    data, code = bank_parse_all(_bank(_course_question(reference=good, status="published")))
    bank_import_all(data=data, code_questions=code)
    authored = AuthoredQuestion.objects.get(course=bank_course)
    assert (authored.lineage, authored.status) == ("own-map", "published")


@pytest.mark.integration
def test_with_the_sandbox_a_fix_it_starter_that_already_passes_is_refused(tmp_path, bank_course):
    good = get_template("map-shape").generate(seed=2).reference_code
    path = tmp_path / "bank.yaml"
    path.write_text(_bank(_course_question(reference=good, status="published", starter=good)))
    before = _database_state()

    with pytest.raises(CommandError) as caught:
        call_command("import_bank", str(path), "--sandbox")

    assert (
        f"{path}: line 7: course code question 'own-map' of course BANK2345, spec: "
        "the starter code of a 'fix it' question must fail, but it passes"
    ) in str(caught.value)
    assert _database_state() == before


def test_a_usual_bank_samples_as_many_seeds_as_the_authoring_page_and_a_huge_one_fewer():
    assert _template_samples(39) == TEMPLATE_SAMPLE_SEEDS == 200
    assert _template_samples(0) == 200
    assert _template_samples(400) == 50
    assert _template_samples(100_000) == 20  # never below a few dozen variants per difficulty
