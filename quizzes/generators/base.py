"""The contract every question family implements: ranges in, a Variant out, answers checked.

Pure Python: no Django, no torch. A Variant is plain data (``to_dict``/``from_dict`` round-trip
through JSON) so the web layer can store it and re-check answers against it later.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from quizzes import answers
from quizzes.generators.randomness import QuestionRandom
from quizzes.misconceptions import describe_misconception


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class AnswerKind(StrEnum):
    INTEGER = "integer"  # one int, e.g. an output height
    SHAPE = "shape"  # a tuple of ints, e.g. (N, C, H, W)
    CHOICE = "choice"  # an MCQ: the value is the correct choice's label ("A".."F")
    SEQUENCE = "sequence"  # an ordered list of ints, e.g. one padded row of values
    DESIGN = "design"  # any valid setting is accepted: the family's own checker decides


@dataclass(slots=True)
class Answer:
    """The key. ``value`` is an int, a tuple of ints, a choice label, a list or a design spec.

    ``raises`` names the exception type when the honest answer is "torch raises" (for example
    ``ValueError`` for ``padding='same'`` with stride 2); ``value`` then holds what the student
    must give (usually the choice label of the "raises ..." option).
    """

    kind: AnswerKind
    value: Any
    raises: str | None = None
    display: str = ""  # how the key reads in the worked solution ("(1, 6, 28, 28)")


@dataclass(slots=True)
class Choice:
    label: str
    text: str  # markdown
    is_correct: bool
    misconception: str | None = None  # the catalogue id this distractor comes from


@dataclass(slots=True)
class WrongAnswer:
    """A wrong free answer a named misconception produces, for diagnosing what the student did."""

    misconception: str
    value: Any


@dataclass(slots=True)
class SolutionStep:
    title: str  # "Step 1: Use the output-size formula", "Final answer", "Quick check"
    body: str  # markdown


@dataclass(slots=True)
class Variant:
    family: str
    seed: int
    difficulty: Difficulty
    params: dict[str, Any]
    prompt: str
    answer: Answer
    choices: list[Choice] = field(default_factory=list)
    solution_steps: list[SolutionStep] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    misconceptions: list[str] = field(default_factory=list)
    wrong_answers: list[WrongAnswer] = field(default_factory=list)
    answer_format: str = ""  # what to type, e.g. "an integer" or "a shape like (1, 6, 28, 28)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "seed": self.seed,
            "difficulty": str(self.difficulty),
            "params": self.params,
            "prompt": self.prompt,
            "answer": {
                "kind": str(self.answer.kind),
                "value": _jsonable(self.answer.value),
                "raises": self.answer.raises,
                "display": self.answer.display,
            },
            "choices": [
                {
                    "label": choice.label,
                    "text": choice.text,
                    "is_correct": choice.is_correct,
                    "misconception": choice.misconception,
                }
                for choice in self.choices
            ],
            "solution_steps": [{"title": s.title, "body": s.body} for s in self.solution_steps],
            "hints": list(self.hints),
            "misconceptions": list(self.misconceptions),
            "wrong_answers": [
                {"misconception": w.misconception, "value": _jsonable(w.value)}
                for w in self.wrong_answers
            ],
            "answer_format": self.answer_format,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Variant:
        answer = data["answer"]
        kind = AnswerKind(answer["kind"])
        return cls(
            family=data["family"],
            seed=int(data["seed"]),
            difficulty=Difficulty(data["difficulty"]),
            params=dict(data["params"]),
            prompt=data["prompt"],
            answer=Answer(
                kind=kind,
                value=_from_json(kind, answer["value"]),
                raises=answer.get("raises"),
                display=answer.get("display", ""),
            ),
            choices=[Choice(**choice) for choice in data.get("choices", [])],
            solution_steps=[SolutionStep(**step) for step in data.get("solution_steps", [])],
            hints=list(data.get("hints", [])),
            misconceptions=list(data.get("misconceptions", [])),
            wrong_answers=[
                WrongAnswer(w["misconception"], _from_json(kind, w["value"]))
                for w in data.get("wrong_answers", [])
            ],
            answer_format=data.get("answer_format", ""),
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def _from_json(kind: AnswerKind, value: Any) -> Any:
    if kind is AnswerKind.SHAPE and isinstance(value, list):
        return tuple(value)
    return value


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict on one answer. ``is_readable`` False means we could not parse it at all."""

    is_correct: bool
    is_readable: bool
    message: str  # what to show the student
    misconception: str | None = None
    normalized: str = ""  # the parsed answer, as we understood it


# ---------------------------------------------------------------------------------------------
# Parameter ranges a template may narrow.


@dataclass(frozen=True, slots=True)
class IntRange:
    low: int
    high: int

    def draw(self, rng: QuestionRandom) -> int:
        return rng.randint(self.low, self.high)


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One tunable range of a family: its hard bounds and its default range per difficulty."""

    name: str
    description: str
    bounds: IntRange
    defaults: Mapping[Difficulty, IntRange]


class ConfigError(ValueError):
    """A template's parameter ranges are invalid; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)


class Generator(ABC):
    """One question family. Subclasses set the class attributes and implement ``build``."""

    family: str  # stable slug, e.g. "conv_output"
    title: str  # "Conv2d output size"
    topic: str  # topic slug the family belongs to
    description: str
    parameters: Sequence[ParameterSpec] = ()

    def resolve_ranges(
        self, difficulty: Difficulty, config: Mapping[str, Any] | None = None
    ) -> dict[str, IntRange]:
        """Defaults for the difficulty, narrowed by a template's ``{name: [low, high]}`` config."""
        errors = self.validate_config(config or {})
        if errors:
            raise ConfigError(errors)
        ranges = {spec.name: spec.defaults[difficulty] for spec in self.parameters}
        for name, (low, high) in (config or {}).items():
            ranges[name] = IntRange(int(low), int(high))
        return ranges

    def _cached_ranges(
        self, difficulty: Difficulty, config: Mapping[str, Any] | None
    ) -> Mapping[str, IntRange]:
        # Validating and merging ranges costs more than drawing a question: do it once per config.
        key = (difficulty, repr(sorted(config.items())) if config else "")
        try:
            return self._range_cache[key]
        except AttributeError:
            self._range_cache: dict[tuple[Difficulty, str], dict[str, IntRange]] = {}
        except KeyError:
            pass
        ranges = self._range_cache[key] = self.resolve_ranges(difficulty, config)
        return ranges

    def validate_config(self, config: Mapping[str, Any]) -> list[str]:
        """Every problem with a template's ranges, as sentences an instructor can act on."""
        errors: list[str] = []
        specs = {spec.name: spec for spec in self.parameters}
        for name, value in config.items():
            spec = specs.get(name)
            if spec is None:
                known = ", ".join(sorted(specs)) or "none"
                errors.append(f"unknown parameter '{name}' (this family has: {known})")
                continue
            if (
                not isinstance(value, list | tuple)
                or len(value) != 2
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
            ):
                errors.append(f"'{name}' must be a [low, high] pair of integers, got {value!r}")
                continue
            low, high = value
            if low > high:
                errors.append(f"'{name}': low {low} is greater than high {high}")
            if low < spec.bounds.low or high > spec.bounds.high:
                errors.append(
                    f"'{name}': [{low}, {high}] is outside the allowed "
                    f"[{spec.bounds.low}, {spec.bounds.high}]"
                )
        return errors

    def rng(self, seed: int, difficulty: Difficulty) -> QuestionRandom:
        return QuestionRandom(f"{self.family}:{difficulty}:{seed}")

    def generate(
        self,
        *,
        seed: int,
        difficulty: Difficulty = Difficulty.MEDIUM,
        config: Mapping[str, Any] | None = None,
    ) -> Variant:
        if difficulty.__class__ is not Difficulty:
            difficulty = Difficulty(difficulty)
        ranges = self._cached_ranges(difficulty, config)
        return self.build(self.rng(seed, difficulty), seed, difficulty, ranges)

    @abstractmethod
    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        """Draw params with ``rng`` (only it: determinism) and render the full Variant."""

    def check(self, variant: Variant, raw_answer: str) -> CheckResult:
        """Parse and grade a student's answer. Families with open answers override this."""
        return check_against_key(variant, raw_answer)


def check_against_key(variant: Variant, raw_answer: str) -> CheckResult:
    """Default checking: parse by answer kind, compare with the key, name a misconception."""
    kind = variant.answer.kind
    if kind is AnswerKind.CHOICE:
        parsed = answers.parse_choice(raw_answer, [choice.label for choice in variant.choices])
        if parsed.error:
            return CheckResult(False, False, parsed.error)
        chosen = next(choice for choice in variant.choices if choice.label == parsed.value)
        if chosen.is_correct:
            return CheckResult(True, True, "Correct.", normalized=chosen.label)
        return _wrong(chosen.misconception, chosen.label)
    if kind is AnswerKind.INTEGER:
        parsed = answers.parse_integer(raw_answer)
    elif kind is AnswerKind.SHAPE:
        parsed = answers.parse_shape(raw_answer, expected_length=len(variant.answer.value))
    elif kind is AnswerKind.SEQUENCE:
        parsed = answers.parse_sequence(raw_answer, expected_length=len(variant.answer.value))
    else:
        raise NotImplementedError(f"{variant.family} must override check() for {kind} answers")
    if parsed.error:
        return CheckResult(False, False, parsed.error)
    expected = variant.answer.value
    value = parsed.value
    if kind is AnswerKind.SEQUENCE:
        value, expected = list(value), list(expected)
    normalized = answers.format_value(parsed.value)
    if value == expected:
        return CheckResult(True, True, "Correct.", normalized=normalized)
    for wrong in variant.wrong_answers:
        wrong_value = list(wrong.value) if kind is AnswerKind.SEQUENCE else wrong.value
        if wrong_value == value:
            return _wrong(wrong.misconception, normalized)
    return _wrong(None, normalized)


def _wrong(misconception: str | None, normalized: str) -> CheckResult:
    if misconception is None:
        return CheckResult(
            False,
            True,
            "Not quite. Work through the solution below step by step.",
            normalized=normalized,
        )
    return CheckResult(
        False,
        True,
        f"Not quite: {describe_misconception(misconception)}",
        misconception=misconception,
        normalized=normalized,
    )


# ---------------------------------------------------------------------------------------------
# Helpers every family uses.

CHOICE_LABELS = "ABCDEF"


def build_choices(
    rng: QuestionRandom,
    correct_text: str,
    distractors: Sequence[tuple[str, str | None]],
    *,
    count: int = 4,
) -> list[Choice]:
    """The correct option plus up to ``count - 1`` distinct distractors, shuffled by ``rng``.

    ``distractors`` are (text, misconception id) in order of preference; any equal to the key or to
    an earlier option are dropped, so an MCQ never has two right answers or a repeated option.
    """
    seen = {correct_text}
    options: list[tuple[str, str | None, bool]] = [(correct_text, None, True)]
    for text, misconception in distractors:
        if text not in seen:
            seen.add(text)
            options.append((text, misconception, False))
            if len(options) == count:
                break
    rng.shuffle(options)
    # Choice(label, text, is_correct, misconception), positionally: this runs for every MCQ.
    return [
        Choice(CHOICE_LABELS[index], option[0], option[2], option[1])
        for index, option in enumerate(options)
    ]


def correct_label(choices: Sequence[Choice]) -> str:
    return next(choice.label for choice in choices if choice.is_correct)


def unique_wrong_answers(key: Any, candidates: Sequence[tuple[str, Any]]) -> list[WrongAnswer]:
    """Keep the misconceptions whose wrong value differs from the key, first one per value wins.

    Two misconceptions can give the same wrong number; the first (most common) one names it.
    """
    # Values are ints or int tuples nearly always: a set finds repeats without comparing every
    # pair (equal ints/tuples hash equally, so the verdicts are the same). Lists (sequence
    # answers) are unhashable and take the list scan.
    try:
        seen_hashed = {key}
        result: list[WrongAnswer] = []
        for misconception, value in candidates:
            if value is None or value in seen_hashed:
                continue
            seen_hashed.add(value)
            result.append(WrongAnswer(misconception, value))
        return result
    except TypeError:
        pass
    seen = [key]
    result = []
    for misconception, value in candidates:
        if value is None or value in seen:
            continue
        seen.append(value)
        result.append(WrongAnswer(misconception, value))
    return result
