"""Courses' formula templates in bank files: exported by course and lineage (not as public
templates), round-tripped with their versions, validated before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from core.services import bank_export_all, bank_import_all, bank_parse_all
from courses.models import AuthoredQuestion
from quizzes.bank import BankError
from quizzes.models import QuestionTemplate

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "fixtures/schema/stride-bank.schema.json").read_text())


def _import(text: str) -> dict[str, int]:
    data, code = bank_parse_all(text)
    return bank_import_all(data=data, code_questions=code)


def test_a_course_template_is_exported_by_course_and_lineage(published_template, course):
    document = yaml.safe_load(bank_export_all())
    jsonschema.validate(document, SCHEMA)
    assert document["templates"] == []  # not a public template
    assert document["course_templates"] == [
        {
            "course": course.join_code,
            "lineage": "output-shape",
            "title": "Output shape",
            "topic": "conv-output-size",
            "family": "conv_output",
            "difficulty": "easy",
            "config": {"kernel_size": [3, 5], "input_size": [16, 32]},
            "intro": "",
            "status": "published",
        }
    ]


def test_import_export_round_trips_losslessly(published_template):
    text = bank_export_all()
    AuthoredQuestion.objects.all().delete()
    QuestionTemplate.objects.all().delete()

    counts = _import(text)

    assert (counts["course_templates_created"], counts["templates_created"]) == (1, 0)
    assert bank_export_all() == text
    again = AuthoredQuestion.objects.get()
    assert (again.kind, again.version, again.status) == ("template", 1, "published")
    assert again.template.is_published is False  # still out of the public catalogue
    assert _import(text)["course_templates_updated"] == 0


def test_a_changed_template_over_a_published_one_is_a_new_version(published_template):
    document = yaml.safe_load(bank_export_all())
    document["course_templates"][0]["config"] = {"kernel_size": [1, 3]}

    counts = _import(yaml.safe_dump(document))

    assert counts["course_templates_updated"] == 1
    versions = list(AuthoredQuestion.objects.order_by("version"))
    assert [(q.version, q.is_current) for q in versions] == [(1, False), (2, True)]
    assert versions[1].template.config == {"kernel_size": [1, 3]}
    published_template.template.refresh_from_db()
    assert published_template.template.config == {"kernel_size": [3, 5], "input_size": [16, 32]}


def test_ranges_that_build_impossible_questions_are_refused_by_line(published_template):
    document = yaml.safe_load(bank_export_all())
    document["course_templates"][0].update(family="transposed", config={"padding": [5, 5]})
    text = yaml.safe_dump(document, sort_keys=False)

    with pytest.raises(BankError) as caught:
        _import(text)

    line = text.splitlines().index("course_templates:") + 2
    assert caught.value.errors[0].startswith(
        f"line {line}: course template 'output-shape' of course ABCD2345, config: "
    )
    assert "is negative" in caught.value.errors[0]
    assert AuthoredQuestion.objects.get().template.family == "conv_output"


def test_a_public_template_entry_cannot_rewrite_a_course_template_in_place(published_template):
    document = yaml.safe_load(bank_export_all())
    slug = published_template.template.slug
    document["templates"] = [
        {
            "slug": slug,
            "title": "Hijacked",
            "topic": "conv-output-size",
            "family": "conv_output",
            "config": {"kernel_size": [1, 1]},
        }
    ]
    with pytest.raises(BankError) as caught:
        _import(yaml.safe_dump(document, sort_keys=False))
    [error] = caught.value.errors
    assert f"template '{slug}' is a version of a course's own template" in error
    published_template.template.refresh_from_db()
    assert published_template.template.title == "Output shape"


def test_bad_course_template_rows_are_refused_whole(published_template):
    document = yaml.safe_load(bank_export_all())
    good = document["course_templates"][0]
    document["course_templates"] += [
        {**good, "lineage": "two", "course": "NOPE2345"},
        {**good, "lineage": "three", "family": "no_such", "topic": "nowhere"},
        {**good, "lineage": "four", "config": {"kernel_size": [0, 99]}, "status": "maybe"},
    ]
    with pytest.raises(BankError) as caught:
        _import(yaml.safe_dump(document, sort_keys=False))
    errors = "\n".join(caught.value.errors)
    assert "no course has the join code 'NOPE2345'" in errors
    assert "unknown family 'no_such'" in errors
    assert "'topic' must name a known topic, got 'nowhere'" in errors
    assert "'status' must be draft or published" in errors
    assert "config: " in errors
    assert all(e.startswith("line ") for e in caught.value.errors), errors
    assert AuthoredQuestion.objects.count() == 1
