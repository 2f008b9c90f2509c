"""What every LMS export needs: questions as plain data, built from generated variants.

Pure Python (no Django): a category is one template, its questions are N pre-generated variants.
Design questions (any valid choice is accepted, checked by computing) have no single key an LMS
could compare with, so they are left out and listed in ``skipped``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import markdown

from quizzes.generators.base import AnswerKind, Variant


class ExportKind(StrEnum):
    NUMERICAL = "numerical"
    MULTICHOICE = "multichoice"
    SHORTANSWER = "shortanswer"


@dataclass(frozen=True)
class ExportChoice:
    html: str
    text: str
    is_correct: bool


@dataclass(frozen=True)
class ExportQuestion:
    identifier: str  # stable: "<template slug>-<seed>"
    name: str
    prompt_html: str
    prompt_text: str
    kind: ExportKind
    number: int | None = None
    choices: tuple[ExportChoice, ...] = ()
    accepted: tuple[str, ...] = ()  # short answers accepted, the first is canonical
    feedback_html: str = ""


@dataclass(frozen=True)
class ExportCategory:
    identifier: str
    name: str
    questions: list[ExportQuestion]


@dataclass
class ExportBundle:
    title: str
    categories: list[ExportCategory]
    skipped: list[str] = field(default_factory=list)


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=["fenced_code"])


def shape_spellings(values: Iterable[int]) -> tuple[str, ...]:
    numbers = [str(int(value)) for value in values]
    joined = ", ".join(numbers)
    return (
        f"({joined})",
        joined,
        f"[{joined}]",
        "x".join(numbers),
        f"torch.Size([{joined}])",
    )


def question_from_variant(
    variant: Variant, *, identifier: str, name: str, intro: str = ""
) -> ExportQuestion | None:
    prompt = f"{intro.strip()}\n\n{variant.prompt}" if intro.strip() else variant.prompt
    prompt_html = to_html(prompt)
    feedback = "\n\n".join(f"**{step.title}**\n\n{step.body}" for step in variant.solution_steps)
    common = {
        "identifier": identifier,
        "name": name,
        "prompt_html": prompt_html,
        "prompt_text": prompt,
        "feedback_html": to_html(feedback) if feedback else "",
    }
    answer = variant.answer
    if answer.kind is AnswerKind.CHOICE:
        choices = tuple(
            ExportChoice(to_html(choice.text), choice.text, choice.is_correct)
            for choice in variant.choices
        )
        return ExportQuestion(kind=ExportKind.MULTICHOICE, choices=choices, **common)
    if answer.kind is AnswerKind.INTEGER and isinstance(answer.value, int):
        return ExportQuestion(kind=ExportKind.NUMERICAL, number=answer.value, **common)
    if answer.kind in (AnswerKind.SHAPE, AnswerKind.SEQUENCE):
        return ExportQuestion(
            kind=ExportKind.SHORTANSWER, accepted=shape_spellings(answer.value), **common
        )
    return None
