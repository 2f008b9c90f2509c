"""Every family's questions, exported, then read back by parsers that are not ours.

GIFT goes through gift-pegjs (the reference GIFT grammar, run with node from tests/js), Moodle XML
through moodle-xml-parser and the QTI assessments through pyslet's QTI 1.2.1 object model (both
PyPI). The bundle spans the whole catalogue, so every prompt's code blocks, ``=``/``{}``/``#``
characters and every kind of answer pass through the escaping.
"""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from lxml import etree
from moodle_xml_parser.parser import parse_bytes
from pyslet.qtiv1 import common as qti_common
from pyslet.qtiv1 import core as qti_core
from pyslet.qtiv1 import item as qti_item
from pyslet.qtiv1.xml import QTIDocument

from courses.exports import gift, moodle_xml, qti
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


CANVAS_TYPES = {
    ExportKind.NUMERICAL: "numerical_question",
    ExportKind.MULTICHOICE: "multiple_choice_question",
    ExportKind.SHORTANSWER: "short_answer_question",
}
SCORE_100 = [("SCORE", qti_core.Action.Set, "100")]


def _qti_expected(question: ExportQuestion) -> dict:
    if question.kind is ExportKind.MULTICHOICE:
        labels = [f"{question.identifier}-{index}" for index in range(len(question.choices))]
        response = ("ResponseLId", "RenderChoice", None)
        choices = [(label, c.html) for label, c in zip(labels, question.choices, strict=True)]
        keys = [label for label, c in zip(labels, question.choices, strict=True) if c.is_correct]
    else:
        # a short answer's render_fib has no fibtype: QTI 1.2.1's default, String, applies
        numerical = question.kind is ExportKind.NUMERICAL
        fib_type = qti_core.FIBType.Decimal if numerical else qti_core.FIBType.String
        response = ("ResponseStr", "RenderFIB", fib_type)
        choices = []
        keys = [str(question.number)] if numerical else list(question.accepted)
    return {
        "ident": question.identifier,
        "title": question.name,
        "metadata": {"question_type": CANVAS_TYPES[question.kind], "points_possible": "1.0"},
        "prompt": ("text/html", question.prompt_html),
        "response": (*response, "response1", qti_core.RCardinality.Single),
        "choices": choices,
        "conditions": [(False, [("response1", key) for key in keys], SCORE_100)],
        "feedback": [("general_fb", [question.feedback_html])] if question.feedback_html else [],
    }


def _below(element, kind) -> list:  # noqa: ANN001
    return list(element.find_children_depth_first(kind, sub_match=False))


def _qti_found(item) -> dict:  # noqa: ANN001
    """An item as pyslet's QTI 1.2.1 classes hold it (each element typed by its role)."""
    presentation = item.Presentation
    prompt = _below(presentation, qti_common.MatText)[0]
    (response,) = _below(presentation, (qti_item.ResponseLId, qti_item.ResponseStr))
    (render,) = _below(response, (qti_item.RenderChoice, qti_item.RenderFIB))
    labels = _below(render, qti_item.ResponseLabel)
    return {
        "ident": item.ident,
        "title": item.title,
        "metadata": {
            field.FieldLabel.get_value(): field.FieldEntry.get_value()
            for metadata in item.ItemMetadata.QTIMetadata
            for field in metadata.QTIMetadataField
        },
        "prompt": (prompt.texttype, prompt.get_value()),
        "response": (
            type(response).__name__,
            type(render).__name__,
            getattr(render, "fibType", None),  # RenderChoice has none
            response.ident,
            response.rCardinality,
        ),
        "choices": [
            (label.ident, _below(label, qti_common.MatText)[0].get_value()) for label in labels
        ],
        "conditions": [
            (
                condition.continueFlag,
                [
                    (test.responseIdentifier, test.get_value())
                    for test in condition.ConditionVar.ExtendableExpressionMixin
                    if isinstance(test, qti_common.VarEqual)
                ],
                [
                    (set_var.varName, set_var.action, set_var.get_value())
                    for set_var in condition.SetVar
                ],
            )
            for processing in item.ResProcessing
            for condition in processing.ConditionMixin
        ],
        "feedback": [
            (feedback.ident, [text.get_value() for text in _below(feedback, qti_common.MatText)])
            for feedback in item.ItemFeedback
        ],
    }


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pyslet.*")  # its own internals
def test_pyslet_reads_every_qti_item_as_written(catalogue):
    archive = zipfile.ZipFile(io.BytesIO(qti.render(catalogue)))
    manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    hrefs = [r.get("href") for r in manifest.iter(f"{{{qti.CP_NS}}}resource")]

    found = {}
    for href in hrefs:
        document = QTIDocument()
        document.read(src=io.BytesIO(archive.read(href)))
        assessment = document.root.Assessment
        found[(assessment.ident, assessment.title)] = [
            _qti_found(item)
            for section in assessment.SectionMixin
            for item in section.SectionItemMixin
        ]

    assert found == {
        (category.identifier, category.name): [_qti_expected(q) for q in category.questions]
        for category in catalogue.categories
    }
