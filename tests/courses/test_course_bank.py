"""Courses' written-out code questions in bank files: lossless round-trip, the schema, and a
broken file refused whole with line-level errors (issue 6, gap 4)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from core.services import bank_export_all, bank_import_all, bank_parse_all
from courses import services
from courses.models import AuthoredQuestion
from grader.models import CodeQuestion
from grader.questions import get_template
from quizzes.bank import BankError
from tests.factories import TopicFactory, written_out_code_question

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "fixtures/schema/stride-bank.schema.json").read_text())


@pytest.fixture
def written(course, instructor):  # noqa: ANN001, ANN201
    authored = services.code_question_author(
        course=course, user=instructor, data=written_out_code_question(seed=5, title="Private map")
    )
    services.question_publish(question=authored, user=instructor, use_sandbox=False)
    return authored


def _import(text: str) -> dict[str, int]:
    data, code = bank_parse_all(text)
    return bank_import_all(data=data, code_questions=code)


def test_course_code_question_is_exported_in_full_and_matches_the_schema(written, course):
    document = yaml.safe_load(bank_export_all())
    jsonschema.validate(document, SCHEMA)
    [row] = document["course_code_questions"]
    assert (row["course"], row["lineage"], row["status"]) == (
        course.join_code,
        "private-map",
        "published",
    )
    assert row["spec"]["reference_code"] == written.code_question.spec["reference_code"]
    assert "template" not in row["spec"]
    # and the public code_questions section does not carry it as template + seed
    assert not document.get("code_questions")


def test_import_export_round_trips_losslessly(written, course):
    text = bank_export_all()
    # Into an empty course database: drop the question, import, export again.
    AuthoredQuestion.objects.all().delete()
    CodeQuestion.objects.all().delete()
    counts = _import(text)
    assert counts["course_code_questions_created"] == 1
    assert bank_export_all() == text
    again = AuthoredQuestion.objects.get()
    assert again.is_published
    assert again.code_question.is_published
    # Importing the same file again changes nothing.
    assert _import(text)["course_code_questions_updated"] == 0
    assert AuthoredQuestion.objects.count() == 1


def test_a_changed_spec_over_a_published_question_is_a_new_version(written):
    document = yaml.safe_load(bank_export_all())
    document["course_code_questions"][0]["spec"]["prompt"] = "A new prompt."
    counts = _import(yaml.safe_dump(document))
    assert counts["course_code_questions_updated"] == 1
    versions = AuthoredQuestion.objects.order_by("version")
    assert [(q.version, q.is_current) for q in versions] == [(1, False), (2, True)]
    assert versions[1].code_question.spec["prompt"] == "A new prompt."
    assert written.code_question.spec["prompt"] != "A new prompt."  # old version kept


def test_a_broken_file_is_refused_whole_with_line_errors(written, course):
    document = yaml.safe_load(bank_export_all())
    good = document["course_code_questions"][0]
    broken = {**good, "lineage": "second", "course": "NOSUCH99"}
    broken["spec"] = {**good["spec"], "entry": "not a name", "surprise": 1}
    document["course_code_questions"].append(broken)
    document["course_code_questions"].append({**good, "lineage": "third", "status": "maybe"})
    document["topics"] = [*document.get("topics", []), {"slug": "new-topic", "title": "New"}]
    text = yaml.safe_dump(document, sort_keys=False)
    with pytest.raises(BankError) as caught:
        _import(text)
    errors = "\n".join(caught.value.errors)
    assert "no course has the join code 'NOSUCH99'" in errors
    assert "unknown spec keys: surprise" in errors
    assert "'status' must be draft or published" in errors
    assert all(line.startswith("line ") for line in caught.value.errors), errors
    assert AuthoredQuestion.objects.count() == 1  # nothing half-imported
    from quizzes.models import Topic  # noqa: PLC0415

    assert not Topic.objects.filter(slug="new-topic").exists()


@pytest.fixture
def seeded(course, instructor, topic_for_code):  # noqa: ANN001, ANN201
    authored = services.code_template_author(
        course=course,
        user=instructor,
        template_slug="map-shape",
        title="Your own map",
        topic=topic_for_code,
    )
    assert services.question_publish(question=authored, user=instructor, use_sandbox=False).is_valid
    return authored


@pytest.fixture
def topic_for_code():  # noqa: ANN201
    return TopicFactory(slug="conv-output-size", title="Conv2d output size")


def test_a_template_based_course_question_is_exported_by_its_template(seeded, course):
    document = yaml.safe_load(bank_export_all())
    jsonschema.validate(document, SCHEMA)
    [row] = document["course_code_questions"]
    assert row == {
        "course": course.join_code,
        "lineage": "your-own-map",
        "title": "Your own map",
        "topic": "conv-output-size",
        "status": "published",
        "template": "map-shape",
    }
    assert not document.get("code_questions")  # a course question is not a public one


def test_a_template_based_course_question_round_trips(seeded, written, course):
    text = bank_export_all()
    AuthoredQuestion.objects.all().delete()
    CodeQuestion.objects.all().delete()

    counts = _import(text)

    assert counts["course_code_questions_created"] == 2
    assert bank_export_all() == text
    again = AuthoredQuestion.objects.get(lineage="your-own-map")
    assert services.is_seeded_code_question(again.code_question)
    assert again.code_question.spec == get_template("map-shape").generate(seed=1).to_dict()
    assert (again.is_published, again.code_question.is_published) == (True, True)
    again_counts = _import(text)
    assert (
        again_counts["course_code_questions_created"],
        again_counts["course_code_questions_updated"],
    ) == (0, 0)


def test_another_template_over_a_published_question_is_a_new_version(seeded):
    document = yaml.safe_load(bank_export_all())
    document["course_code_questions"][0]["template"] = "downsample-by-four"
    counts = _import(yaml.safe_dump(document))
    assert counts["course_code_questions_updated"] == 1
    versions = list(AuthoredQuestion.objects.order_by("version"))
    assert [(q.version, q.is_current) for q in versions] == [(1, False), (2, True)]
    assert versions[1].code_question.spec["template"] == "downsample-by-four"
    assert seeded.code_question.spec["template"] == "map-shape"  # the old version is kept


def test_a_template_row_with_an_unknown_template_or_a_spec_too_is_refused(seeded):
    document = yaml.safe_load(bank_export_all())
    good = document["course_code_questions"][0]
    document["course_code_questions"] = [
        {**good, "template": "no-such-template"},
        {**good, "lineage": "both", "spec": {"prompt": "x"}},
    ]
    with pytest.raises(BankError) as caught:
        _import(yaml.safe_dump(document, sort_keys=False))
    first, second = caught.value.errors
    assert first.startswith("line ")
    assert "'template' must be a code-question template" in first
    assert "'no-such-template'" in first
    assert second.endswith("give either 'spec' or 'template', not both")
    assert AuthoredQuestion.objects.count() == 1
