"""Compare what the student's code produced with what the reference expects: the grade.

Pure Python on plain data (no Django): the sandbox Outcome is untrusted but schema-checked; the
expected shapes come from the trusted reference. Partial credit: one point per test case, plus one
point for the constraints when the question has any. A broken rule also caps the score at
RULE_BROKEN_CAP: right shapes from the wrong network (say, a hard-coded output) are not a pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from grader.feedback import describe_shape, diagnose_shape, first_divergence
from sandbox.protocol import InputResult, LayerTrace, Outcome, Status

Shape = tuple[int, ...]
RULE_BROKEN_CAP = 0.5

STATUS_SUMMARIES = {
    Status.TIMEOUT: "Your code ran out of time (an infinite loop, or far too much work).",
    Status.MEMORY_LIMIT: "Your code used more memory than this question allows.",
    Status.OUTPUT_LIMIT: "Your code printed or wrote more output than allowed.",
    Status.KILLED: "The sandbox stopped your code: it crashed or tried something forbidden.",
    Status.INVALID_RESULT: (
        "Your program's result could not be read: did it exit early or write over the result?"
    ),
}


@dataclass(frozen=True)
class ExpectedCase:
    input_shape: Shape
    output_shape: Shape
    layer_output_shapes: tuple[Shape | None, ...]  # the reference's leaf layers, in call order
    is_visible: bool


@dataclass(frozen=True)
class ConstraintVerdict:
    description: str
    is_passed: bool
    message: str


@dataclass
class GradeReport:
    score: float
    passed_cases: int
    total_cases: int
    sandbox_status: str
    summary: str
    cases: list[dict[str, Any]] = field(default_factory=list)
    constraints: list[dict[str, Any]] = field(default_factory=list)
    trace: list[dict[str, Any]] = field(default_factory=list)
    diverging_layer: int | None = None
    hint: str = ""
    misconception: str = ""
    stdout: str = ""
    wall_time_ms: int = 0


def _error_dict(result: InputResult | None, outcome: Outcome) -> dict[str, Any] | None:
    error = result.error if result is not None and result.error else outcome.error
    if error is None:
        return None
    return {
        "type": error.type,
        "message": error.message,
        "line": error.line,
        "traceback": error.traceback,
    }


def leaf_layers(trace: Sequence[Any]) -> list[Any]:
    """Leaf layers only (anything with a ``name``), in call order.

    A container's entry would duplicate its children's shapes; the model itself (name "") counts
    only when it is the one layer there is (a bare ``nn.Conv2d`` as the model).
    """
    names = {layer.name for layer in trace}
    if names <= {""}:
        return list(trace)
    return [
        layer
        for layer in trace
        if layer.name != "" and not any(other.startswith(layer.name + ".") for other in names)
    ]


def _trace_rows(trace: Sequence[LayerTrace]) -> list[dict[str, Any]]:
    return [
        {
            "name": layer.name,
            "type": layer.type,
            "input_shape": describe_shape(layer.input_shape) if layer.input_shapes else "",
            "output_shape": (
                "raised" if layer.output_shapes is None else describe_shape(layer.output_shape)
            ),
        }
        for layer in trace
    ]


def grade(
    *,
    expected: Sequence[ExpectedCase],
    outcome: Outcome,
    constraint_verdicts: Sequence[ConstraintVerdict] = (),
) -> GradeReport:
    """One run's grade. A student's exception, timeout or wrong shape is a grade, not a crash."""
    total = len(expected) + (1 if constraint_verdicts else 0)
    wall_time_ms = int(outcome.wall_time_s * 1000)
    stdout = outcome.stdout + ("\n[... output truncated ...]" if outcome.stdout_truncated else "")
    if outcome.status not in (Status.OK, Status.ERROR):
        summary = STATUS_SUMMARIES.get(outcome.status, outcome.message or str(outcome.status))
        cases = [
            {
                "index": index,
                "input_shape": list(case.input_shape),
                "is_visible": case.is_visible,
                "expected_shape": list(case.output_shape),
                "actual_shape": None,
                "is_passed": False,
                "error": None,
            }
            for index, case in enumerate(expected)
        ]
        return GradeReport(
            score=0.0,
            passed_cases=0,
            total_cases=total,
            sandbox_status=str(outcome.status),
            summary=summary,
            cases=cases,
            stdout=stdout,
            wall_time_ms=wall_time_ms,
        )

    results = {result.index: result for result in outcome.results}
    cases: list[dict[str, Any]] = []
    passed = 0
    first_failure: tuple[ExpectedCase, InputResult | None] | None = None
    for index, case in enumerate(expected):
        result = results.get(index)
        actual = result.output_shape if result is not None and result.error is None else None
        is_passed = actual is not None and tuple(actual) == case.output_shape
        passed += is_passed
        if not is_passed and first_failure is None:
            first_failure = (case, result)
        cases.append(
            {
                "index": index,
                "input_shape": list(case.input_shape),
                "is_visible": case.is_visible,
                "expected_shape": list(case.output_shape),
                "actual_shape": None if actual is None else list(actual),
                "is_passed": is_passed,
                "error": None if is_passed else _error_dict(result, outcome),
            }
        )
    constraints = [
        {"description": v.description, "is_passed": v.is_passed, "message": v.message}
        for v in constraint_verdicts
    ]
    constraints_ok = all(v.is_passed for v in constraint_verdicts)
    if constraint_verdicts and constraints_ok:
        passed += 1

    hint, misconception, diverging = "", "", None
    shown_result = first_failure[1] if first_failure else (results.get(0))
    trace = list(shown_result.trace) if shown_result is not None else []
    leaves = leaf_layers(trace)
    if first_failure is not None:
        case, result = first_failure
        if result is not None and result.error is None:
            diagnosis = diagnose_shape(case.output_shape, result.output_shape)
            if diagnosis is not None:
                hint, misconception = diagnosis.hint, diagnosis.misconception
            divergence = first_divergence(
                case.layer_output_shapes, [layer.output_shape for layer in leaves]
            )
            if divergence is not None and divergence < len(leaves):
                diverging = trace.index(leaves[divergence])
        elif result is not None and result.error is not None:
            raised = [i for i, layer in enumerate(trace) if layer.output_shapes is None]
            diverging = raised[-1] if raised else None

    summary = _summary(passed, total, expected, cases, outcome, constraints_ok)
    score = passed / total if total else 0.0
    if not constraints_ok:
        score = min(score, RULE_BROKEN_CAP)
    return GradeReport(
        score=round(score, 4),
        passed_cases=passed,
        total_cases=total,
        sandbox_status=str(outcome.status),
        summary=summary,
        cases=cases,
        constraints=constraints,
        trace=_trace_rows(trace),
        diverging_layer=diverging,
        hint=hint,
        misconception=misconception,
        stdout=stdout,
        wall_time_ms=wall_time_ms,
    )


def _summary(
    passed: int,
    total: int,
    expected: Sequence[ExpectedCase],
    cases: Sequence[dict[str, Any]],
    outcome: Outcome,
    constraints_ok: bool,
) -> str:
    if outcome.error is not None and not outcome.results:
        where = f" at line {outcome.error.line}" if outcome.error.line else ""
        return f"Your code raised {outcome.error.type}{where} before any input ran."
    if passed == total:
        return f"All {total} checks passed."
    failed_cases = [case for case in cases if not case["is_passed"]]
    if not failed_cases and not constraints_ok:
        return "Every shape is right, but the code breaks a rule of the question (see below)."
    first = failed_cases[0]
    which = "the visible example" if first["is_visible"] else "a hidden input"
    if first["error"]:
        return (
            f"{passed} of {total} checks passed. On {which} {describe_shape(first['input_shape'])} "
            f"your code raised {first['error']['type']}."
        )
    return (
        f"{passed} of {total} checks passed. On {which} {describe_shape(first['input_shape'])} "
        f"the output is {describe_shape(first['actual_shape'])}, expected "
        f"{describe_shape(first['expected_shape'])}."
    )
