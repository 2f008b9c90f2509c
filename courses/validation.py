"""Validation before publishing: sample a template's ranges, prove a code question's reference.

A formula template is generated at many seeds for every difficulty; any seed whose question
cannot be built, or whose key is impossible (a non-positive size), is reported with the example.
A code question's reference runs in-process on the meta device (expected shapes and its own
rules), then in the sandbox on the visible input and on the extreme corners of every hidden range
exactly as a student's code would; the starter of a "fix it" question must fail there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from grader import sandbox_gateway
from grader.questions.base import CodeVariant
from grader.reference import (
    BrokenReferenceError,
    check_constraints,
    corner_shapes,
    expected_outputs,
    reference_parameter_count,
    trace_layer_types,
)
from quizzes.generators import UnknownFamilyError, get_generator
from quizzes.generators.base import AnswerKind, ConfigError, Difficulty

TEMPLATE_SAMPLE_SEEDS = 200
MAX_EXAMPLES = 5


@dataclass
class ValidationReport:
    is_valid: bool = True
    errors: list[str] = field(default_factory=list)
    checked: int = 0

    def fail(self, message: str) -> None:
        self.is_valid = False
        if len(self.errors) < MAX_EXAMPLES * 4:
            self.errors.append(message)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Questions whose SHAPE-kind key is a pair of paddings, not tensor sizes: the output_padding
# that undoes a downsampling (transposed) and the top/bottom or left/right split of an even
# 'same' padding. Zero is a correct answer there, so only a negative amount is impossible.
PADDING_PAIR_ASKS = frozenset({"undo", "rows", "columns"})


def _impossible_key(kind: AnswerKind, value: Any, params: dict[str, Any] | None = None) -> str:
    if kind is AnswerKind.SHAPE and isinstance(value, list | tuple):
        if any(not isinstance(size, int) for size in value):
            return f"the answer key {tuple(value)} is not whole numbers"
        if (params or {}).get("asked") in PADDING_PAIR_ASKS:
            if any(size < 0 for size in value):
                return f"the answer key {tuple(value)} has a negative padding"
        elif any(size <= 0 for size in value):
            return f"the answer key {tuple(value)} has a size below 1"
    if kind is AnswerKind.INTEGER and isinstance(value, int) and value < 0:
        return f"the answer key {value} is negative"
    return ""


def validate_template(
    *, family: str, config: dict[str, Any], samples: int = TEMPLATE_SAMPLE_SEEDS
) -> ValidationReport:
    """The ranges' own checks, then ``samples`` seeds at every difficulty."""
    report = ValidationReport()
    try:
        generator = get_generator(family)
    except UnknownFamilyError as error:
        report.fail(str(error))
        return report
    for problem in generator.validate_config(config):
        report.fail(problem)
    if not report.is_valid:
        return report
    for difficulty in Difficulty:
        failures = 0
        for seed in range(samples):
            report.checked += 1
            try:
                variant = generator.generate(seed=seed, difficulty=difficulty, config=config)
            except ConfigError as error:
                report.fail(f"{difficulty}: these ranges cannot produce a valid question: {error}")
                break
            except (ValueError, ArithmeticError, IndexError, KeyError) as error:
                failures += 1
                if failures <= MAX_EXAMPLES:
                    report.fail(
                        f"{difficulty}, seed {seed}: the question cannot be built ({error})"
                    )
                continue
            problem = (
                ""
                if variant.answer.raises
                else _impossible_key(variant.answer.kind, variant.answer.value, variant.params)
            )
            if problem:
                failures += 1
                if failures <= MAX_EXAMPLES:
                    report.fail(f"{difficulty}, seed {seed}: {problem}; params {variant.params}")
    return report


def code_check_shapes(variant: CodeVariant) -> list[tuple[int, ...]]:
    """The visible input and every corner (smallest/largest batch and size) of each hidden range."""
    shapes: list[tuple[int, ...]] = [tuple(variant.visible_input)]
    for input_range in variant.hidden_inputs:
        for shape in corner_shapes(input_range):
            if shape not in shapes:
                shapes.append(shape)
    return shapes


def validate_code_question(
    *, variant: CodeVariant, is_fix_it: bool = False, use_sandbox: bool = True
) -> ValidationReport:
    report = ValidationReport()
    if not variant.hidden_inputs:
        report.fail("add at least one hidden input range")
        return report
    shapes = code_check_shapes(variant)
    report.checked = len(shapes)
    try:
        cases = expected_outputs(variant, shapes)
    except BrokenReferenceError as error:
        report.fail(f"the reference fails: {error}")
        return report
    verdicts = check_constraints(
        variant.constraints,
        trace_layer_types(cases[0].trace),
        reference_parameter_count(variant),
    )
    for verdict in verdicts:
        if not verdict.passed:
            report.fail(f"the reference breaks its own rule '{verdict.constraint.description}'")
    if not report.is_valid or not use_sandbox:
        return report
    graded = sandbox_gateway.run_and_grade(
        variant=variant, code=variant.reference_code, input_shapes=shapes, device="cpu"
    )
    if graded is None:
        report.fail(sandbox_gateway.last_unavailable_message())
        return report
    if graded.score < 1.0:
        report.fail(f"the reference scores {graded.score:.2f} in the sandbox: {graded.summary}")
    if is_fix_it:
        starter = sandbox_gateway.run_and_grade(
            variant=variant, code=variant.starter_code, input_shapes=shapes[:1], device="cpu"
        )
        if starter is not None and starter.score >= 1.0:
            report.fail("the starter code of a 'fix it' question must fail, but it passes")
    return report
