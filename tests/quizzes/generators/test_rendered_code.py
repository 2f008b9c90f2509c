"""Code the questions show must be code a student could type: brackets balance in every span.

Families inline their call wording for speed; one such inlining once dropped the closing
parenthesis of every ``nn.Conv2d(...)`` option. This reads every text a variant shows.
"""

from __future__ import annotations

import re

import pytest

from quizzes.generators import all_generators
from quizzes.generators.base import Difficulty, Variant

SEEDS_PER_DIFFICULTY = 150
FENCED = re.compile(r"```[a-z]*\n(.*?)```", re.S)
INLINE = re.compile(r"`([^`\n]+)`")
PAIRS = ("()", "[]", "{}")


def _texts(variant: Variant) -> list[str]:
    return [
        variant.prompt,
        *(choice.text for choice in variant.choices),
        *(step.body for step in variant.solution_steps),
        *variant.hints,
    ]


def _unbalanced(code: str) -> str | None:
    for opening, closing in PAIRS:
        if code.count(opening) != code.count(closing):
            return f"{opening}{closing}"
    return None


def _code_spans(text: str) -> list[str]:
    blocks = FENCED.findall(text)
    return blocks + INLINE.findall(FENCED.sub("", text))


@pytest.mark.parametrize("generator", all_generators(), ids=lambda generator: generator.family)
def test_every_code_span_has_balanced_brackets(generator):
    for difficulty in Difficulty:
        for seed in range(SEEDS_PER_DIFFICULTY):
            variant = generator.generate(seed=seed, difficulty=difficulty)
            for text in _texts(variant):
                for code in _code_spans(text):
                    pair = _unbalanced(code)
                    where = f"{generator.family} {difficulty} seed {seed}"
                    assert pair is None, f"{where}: unbalanced {pair} in {code!r}"
