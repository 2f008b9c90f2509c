"""Every family's questions, exported, then read back by parsers that are not ours.

GIFT goes through gift-pegjs (the reference GIFT grammar, run with node from tests/js) and Moodle
XML through moodle-xml-parser (PyPI). The bundle spans the whole catalogue, so every prompt's code
blocks, ``=``/``{}``/``#`` characters and every kind of answer pass through the escaping.
"""

from __future__ import annotations

import html

import pytest
from moodle_xml_parser.parser import parse_bytes

from courses.exports import gift, moodle_xml
from courses.exports.common import (
    ExportBundle,
    ExportCategory,
    ExportKind,
    ExportQuestion,
    question_from_variant,
)
from quizzes.generators import all_generators
from tests.courses.test_bank_and_exports import _gift_pegjs

SEEDS = (1, 2)
DIFFICULTIES = ("easy", "medium", "hard")


@pytest.fixture(scope="module")
def catalogue() -> ExportBundle:
    """Two variants per family and difficulty, as the course export builds them."""
    categories = []
    for generator in all_generators():
        for difficulty in DIFFICULTIES:
            questions = []
            for seed in SEEDS:
                variant = generator.generate(seed=seed, difficulty=difficulty, config={})
                question = question_from_variant(
                    variant,
                    identifier=f"{generator.family}-{difficulty}-{seed}",
                    name=f"{generator.family} {difficulty} #{seed}",
                )
                if question is not None:
                    questions.append(question)
            if questions:
                slug = f"{generator.family}-{difficulty}"
                categories.append(ExportCategory(slug, slug, questions))
    return ExportBundle(title="CNN shapes 101", categories=categories)


def _questions(bundle: ExportBundle) -> list[ExportQuestion]:
    return [question for category in bundle.categories for question in category.questions]


def test_the_catalogue_covers_every_kind_of_question(catalogue):
    kinds = {question.kind for question in _questions(catalogue)}
    assert kinds == set(ExportKind)


GIFT_TYPES = {
    ExportKind.NUMERICAL: "Numerical",
    ExportKind.MULTICHOICE: "MC",
    ExportKind.SHORTANSWER: "Short",
}


def _gift_expected(question: ExportQuestion) -> dict:
    if question.kind is ExportKind.NUMERICAL:
        answers: object = {"type": "simple", "number": question.number}
    elif question.kind is ExportKind.MULTICHOICE:
        answers = [(choice.text, choice.is_correct) for choice in question.choices]
    else:
        answers = [(text, True) for text in question.accepted]
    return {
        "id": question.identifier,
        "type": GIFT_TYPES[question.kind],
        "title": question.name,
        "stem": {"format": "markdown", "text": question.prompt_text.strip()},
        "answers": answers,
    }


def _gift_found(parsed: dict) -> dict:
    if parsed["type"] == "Numerical":
        answers: object = parsed["choices"]
    else:
        answers = [(choice["text"]["text"], choice["isCorrect"]) for choice in parsed["choices"]]
    return {
        "id": parsed["id"],
        "type": parsed["type"],
        "title": parsed["title"],
        "stem": {"format": parsed["stem"]["format"], "text": parsed["stem"]["text"].strip()},
        "answers": answers,
    }


def test_gift_pegjs_reads_every_question_as_written(catalogue):
    parsed = _gift_pegjs(gift.render(catalogue))

    categories = [entry["title"] for entry in parsed if entry["type"] == "Category"]
    assert categories == [
        f"$course$/top/CNN shapes 101/{category.name}" for category in catalogue.categories
    ]
    found = [_gift_found(entry) for entry in parsed if entry["type"] != "Category"]
    assert found == [_gift_expected(question) for question in _questions(catalogue)]


def test_gift_pegjs_sees_one_right_answer_and_the_distractors(catalogue):
    parsed = [entry for entry in _gift_pegjs(gift.render(catalogue)) if entry["type"] == "MC"]
    assert parsed
    for entry in parsed:
        flags = [choice["isCorrect"] for choice in entry["choices"]]
        assert flags.count(True) == 1, entry["title"]
        assert len(flags) >= 2, entry["title"]


def test_gift_pegjs_refuses_an_unescaped_brace():
    """The grammar is strict enough to catch what our escaping exists for."""
    with pytest.raises(AssertionError, match="gift-pegjs"):
        _gift_pegjs("::Broken::What does {x} give? {=1 ~2}\n")


def test_moodle_xml_parser_reads_every_multiple_choice_question(catalogue):
    parsed = parse_bytes(moodle_xml.render(catalogue))

    expected = [
        (
            question.name,
            html.unescape(question.prompt_html.strip()),
            True,
            True,
            "ABCD",
            [
                (html.unescape(choice.html.strip()), 100.0 if choice.is_correct else 0.0)
                for choice in question.choices
            ],
        )
        for question in _questions(catalogue)
        if question.kind is ExportKind.MULTICHOICE
    ]
    found = [
        (
            question.name,
            question.text_pre_parse,
            question.single,
            question.shuffle_answers,
            question.answernumbering,
            [(option.answer, option.score_fraction) for option in question.options],
        )
        for question in parsed["multichoice"]
    ]
    assert found == expected
    assert parsed["cloze"] == []
