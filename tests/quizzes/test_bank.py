"""The bank file format: the starter bank loads, broken files are refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.services import bank_export_all
from grader.models import CodeQuestion
from quizzes.bank import BankError, parse_bank
from quizzes.generators import family_names
from quizzes.models import QuestionTemplate, Topic

STARTER = Path(__file__).resolve().parents[2] / "fixtures" / "starter_bank.yaml"


def test_the_starter_bank_covers_every_family_at_every_difficulty():
    bank = parse_bank(STARTER.read_bytes())
    covered = {(t.family, t.difficulty) for t in bank.templates}
    assert covered == {(f, d) for f in family_names() for d in ("easy", "medium", "hard")}


@pytest.mark.django_db
def test_import_then_export_round_trips_losslessly(tmp_path):
    call_command("import_bank", str(STARTER))
    exported = tmp_path / "bank.yaml"
    call_command("export_bank", str(exported))
    original, round_tripped = parse_bank(STARTER.read_bytes()), parse_bank(exported.read_bytes())
    assert sorted(round_tripped.topics, key=str) == sorted(original.topics, key=str)
    assert sorted(round_tripped.templates, key=str) == sorted(original.templates, key=str)
    key = lambda item: item["slug"]  # noqa: E731
    assert sorted(round_tripped.extra_sections["code_questions"], key=key) == sorted(
        ({"title": "", "topic": "", **q} for q in original.extra_sections["code_questions"]),
        key=key,
    )
    assert bank_export_all() == exported.read_text()
    assert CodeQuestion.objects.count() == len(
        parse_bank(STARTER.read_bytes()).extra_sections["code_questions"]
    )


@pytest.mark.django_db
def test_importing_twice_updates_instead_of_duplicating():
    call_command("import_bank", str(STARTER))
    call_command("import_bank", str(STARTER))
    assert Topic.objects.count() == 13
    assert QuestionTemplate.objects.count() == 39


BROKEN = """format: stride-bank/1
topics:
  - slug: ok-topic
    title: Fine
templates:
  - slug: good
    title: Good one
    topic: ok-topic
    family: conv_output
    difficulty: easy
  - slug: bad
    title: Bad one
    topic: missing-topic
    family: no_such_family
    difficulty: extreme
    config: {kernel_size: [9, 3]}
"""


def test_a_broken_bank_lists_every_problem_with_its_line():
    with pytest.raises(BankError) as error:
        parse_bank(BROKEN)
    assert error.value.errors == [
        "line 11: template 'bad' names unknown topic 'missing-topic'",
        "line 11: unknown family 'no_such_family' (known: " + ", ".join(family_names()) + ")",
        "line 11: difficulty must be easy, medium or hard, got 'extreme'",
    ]


@pytest.mark.django_db
def test_a_broken_bank_imports_nothing(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_bank", str(path))
    assert Topic.objects.count() == 0
    assert QuestionTemplate.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: [unclosed", "line 1, column 18: not valid YAML/JSON"),
        ("- just a list", "the file must be a mapping"),
        (b"\xff\xfe", "not UTF-8"),
        ("format: other/1\ntopics: []\ntemplates: []", "'format' must be 'stride-bank/1'"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_reason(text, message):
    with pytest.raises(BankError) as error:
        parse_bank(text)
    assert message in str(error.value)


def test_invalid_ranges_for_a_valid_family_are_reported():
    text = BROKEN.split("  - slug: bad")[0].replace(
        "difficulty: easy", "difficulty: easy\n    config: {kernel_size: [1, 99]}"
    )
    with pytest.raises(BankError, match=r"line 6: 'kernel_size': \[1, 99\] is outside the allowed"):
        parse_bank(text)
