"""Checks every question family must pass, shared by the family test files that import them.

Plain functions (not tests): a family's test calls them on variants it generated, so a failure
points at the family and the variant that broke the contract.
"""

from __future__ import annotations

import json

from quizzes.answers import format_value
from quizzes.generators.base import AnswerKind, Generator, Variant

GARBAGE = ("", "   ", "banana", "(1, 2", "1/2", "∞", "4.5")


def accepted_spellings(variant: Variant) -> list[str]:
    """Every way a student may type the key, per answer kind."""
    kind, value = variant.answer.kind, variant.answer.value
    if kind is AnswerKind.INTEGER:
        return [str(value), f"  {value}  ", f"{value}.0", f"{value}\n"]
    if kind is AnswerKind.CHOICE:
        return [value, value.lower(), f" {value} ", f"({value})", f"option {value}", f"{value}."]
    if kind in (AnswerKind.SHAPE, AnswerKind.SEQUENCE):
        items = [str(item) for item in value]
        return [
            format_value(value),
            "x".join(items),
            "[" + ",".join(items) + "]",
            "torch.Size([" + ", ".join(items) + "])",
            "  " + " ".join(items) + "  ",
        ]
    raise AssertionError(f"no spellings for {kind}")


def assert_key_accepted(generator: Generator, variant: Variant) -> None:
    for spelling in accepted_spellings(variant):
        result = generator.check(variant, spelling)
        assert result.is_correct, (spelling, result, variant.prompt)
        assert result.is_readable


def assert_garbage_is_unreadable(generator: Generator, variant: Variant) -> None:
    for raw in GARBAGE:
        result = generator.check(variant, raw)
        assert result.is_correct is False, raw
        assert result.is_readable is False, (raw, result)
        assert result.message, raw


def assert_choices_sound(variant: Variant) -> None:
    if variant.answer.kind is not AnswerKind.CHOICE:
        assert variant.choices == []
        return
    texts = [choice.text for choice in variant.choices]
    assert len(texts) == len(set(texts)), texts
    assert len(texts) >= 3, texts
    assert [choice.label for choice in variant.choices] == list("ABCDEF"[: len(texts)])
    correct = [choice for choice in variant.choices if choice.is_correct]
    assert len(correct) == 1
    assert correct[0].label == variant.answer.value
    assert all(choice.misconception for choice in variant.choices if not choice.is_correct)


def assert_wrong_answers_diagnosed(generator: Generator, variant: Variant) -> None:
    if variant.answer.kind is AnswerKind.CHOICE:
        for choice in variant.choices:
            if choice.is_correct:
                continue
            result = generator.check(variant, choice.label)
            assert result.is_correct is False
            assert result.misconception == choice.misconception, (choice, result)
        return
    values = [wrong.value for wrong in variant.wrong_answers]
    assert variant.answer.value not in values
    for wrong in variant.wrong_answers:
        result = generator.check(variant, format_value(wrong.value))
        assert result.is_correct is False, wrong
        assert result.is_readable is True, wrong
        assert result.misconception == wrong.misconception, (wrong, result)


def assert_round_trips(variant: Variant) -> None:
    data = variant.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert Variant.from_dict(data) == variant
    assert Variant.from_dict(json.loads(json.dumps(data))).to_dict() == data


def assert_well_formed(variant: Variant) -> None:
    assert "```python\n" in variant.prompt
    titles = [step.title for step in variant.solution_steps]
    assert titles[0].startswith("Step 1")
    assert titles[-2:] == ["Final answer", "Quick check"]
    assert variant.hints
    assert variant.answer_format
    assert variant.answer.display


def assert_contract(generator: Generator, variant: Variant) -> None:
    """Everything except the torch comparison, which each family's property test does."""
    assert_well_formed(variant)
    assert_choices_sound(variant)
    assert_key_accepted(generator, variant)
    assert_garbage_is_unreadable(generator, variant)
    assert_wrong_answers_diagnosed(generator, variant)
    assert_round_trips(variant)
