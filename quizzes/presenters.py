"""What the question page shows of a variant: rendered prompt, choices, hints, solution, diagram.

Pure presentation (no queries): views pass in rows they already loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from quizzes.diagrams import Diagram, diagram_for
from quizzes.generators.base import CheckResult
from quizzes.mathml import Formula, formulas_for
from quizzes.misconceptions import get_misconception
from quizzes.models import Variant
from quizzes.rendering import render_markdown


@dataclass(frozen=True)
class MisconceptionView:
    id: str
    title: str
    explanation: str


def question_context(variant: Variant) -> dict[str, Any]:
    """The unanswered question: prompt, choices and hints."""
    generated = variant.generated
    return {
        "variant": variant,
        "generated": generated,
        "topic": variant.template.topic,
        "prompt_html": render_markdown(generated.prompt),
        "choices": [
            {"label": choice.label, "html": render_markdown(choice.text)}
            for choice in generated.choices
        ],
        "hints": [render_markdown(hint) for hint in generated.hints],
    }


def _safe(markup: str) -> SafeString:
    # Built by quizzes.diagrams / quizzes.mathml, which escape every piece of text they place.
    return mark_safe(markup)  # noqa: S308


def feedback_context(variant: Variant, result: CheckResult) -> dict[str, Any]:
    """After a readable answer: verdict, named misconception, solution, formulas, diagram."""
    generated = variant.generated
    entry = get_misconception(result.misconception) if result.misconception else None
    diagram: Diagram | None = diagram_for(generated.family, generated.params, prefix="diagram")
    formulas: list[Formula] = formulas_for(generated.family, generated.params)
    return {
        "result": result,
        "misconception": MisconceptionView(entry.id, entry.title, entry.explanation)
        if entry
        else None,
        "solution": [
            {"title": step.title, "html": render_markdown(step.body)}
            for step in generated.solution_steps
        ],
        "answer_display": generated.answer.display,
        "formulas": [
            {"label": f.label, "mathml": _safe(f.mathml), "text": f.text} for f in formulas
        ],
        "diagram": {
            "title": diagram.title,
            "svg": _safe(diagram.svg),
            "description": diagram.description,
        }
        if diagram
        else None,
    }
