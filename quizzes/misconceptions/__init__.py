"""The catalogue of classic shape mistakes, as data.

Each Misconception is a named, documented function of a question's params that returns the wrong
answer the mistake produces (or None where the mistake does not apply). The same catalogue builds
MCQ distractors, diagnoses wrong free answers, drives hints and feeds instructor analytics.
Family-area modules (``conv``, ``pooling``, ...) register their entries here on import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Misconception:
    id: str  # stable slug stored on attempts, e.g. "padding_not_doubled"
    title: str  # "Forgot to double the padding"
    explanation: str  # the step the student skipped, in one or two sentences
    hint: str  # a nudge shown before answering, without giving the answer away
    wrong_answer: Callable[..., Any] | None = None  # params -> the wrong value, None if n/a


CATALOGUE: dict[str, Misconception] = {}


def register(misconception: Misconception) -> Misconception:
    if misconception.id in CATALOGUE:
        raise ValueError(f"misconception {misconception.id!r} is registered twice")
    CATALOGUE[misconception.id] = misconception
    return misconception


def get_misconception(misconception_id: str) -> Misconception | None:
    _load_all()
    return CATALOGUE.get(misconception_id)


def describe_misconception(misconception_id: str) -> str:
    """One sentence for feedback: the title and the skipped step."""
    misconception = get_misconception(misconception_id)
    if misconception is None:
        return "that is a common slip; compare your working with the solution below."
    return f"{misconception.title.rstrip('.')}. {misconception.explanation}"


def all_misconceptions() -> list[Misconception]:
    _load_all()
    return sorted(CATALOGUE.values(), key=lambda item: item.id)


_AREA_MODULES = (
    "conv",
    "same_padding",
    "concepts",
    "errors",
    "stacks",
    "receptive",
    "pooling",
    "transposed",
    "padding_modes",
    "design",
    "parameters",
)


_loaded = False


def _load_all() -> None:
    # Area modules import this package to register; load them lazily to avoid an import cycle.
    # Feedback and history pages look misconceptions up per row: import the areas only once.
    global _loaded
    if _loaded:
        return
    for name in _AREA_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    _loaded = True
