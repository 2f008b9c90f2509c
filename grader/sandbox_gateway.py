"""The grader's one door to the sandbox: build the job, run it, grade what comes back.

The job carries the student's code and the input shapes only. The reference solution and the
expected shapes stay here, in the worker's trusted process.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

from grader.grading import ConstraintVerdict, ExpectedCase, GradeReport, grade, leaf_layers
from grader.questions.base import CodeVariant
from grader.reference import check_constraints, expected_outputs, trace_layer_types
from sandbox.client import shared_client
from sandbox.protocol import MIB, InputSpec, Job, Limits, Outcome, Status

_last_unavailable = threading.local()


def last_unavailable_message() -> str:
    return getattr(_last_unavailable, "message", "") or "The sandbox is unavailable."


# Real CPU tensors up to this many elements per input: meta is faster but more lenient than CPU
# (some invalid layers run on meta and raise on CPU), and CPU torch is what students run.
REAL_RUN_MAX_ELEMENTS = 4_000_000


def run_device(device: str, input_shapes: Sequence[tuple[int, ...]]) -> str:
    if device == "cuda":
        return "cuda"
    largest = max(math.prod(shape) for shape in input_shapes)
    return "cpu" if largest <= REAL_RUN_MAX_ELEMENTS else "meta"


def build_job(
    variant: CodeVariant, code: str, input_shapes: Sequence[tuple[int, ...]], device: str
) -> Job:
    return Job(
        code=code,
        inputs=tuple(InputSpec(shape=tuple(shape)) for shape in input_shapes),
        entry=variant.entry,
        device=run_device(device, input_shapes),
        limits=Limits(
            wall_time_s=variant.time_limit_s,
            cpu_time_s=max(1, int(variant.time_limit_s)),
            memory_bytes=variant.memory_limit_mb * MIB,
        ),
        filename="solution.py",
    )


def expected_cases(
    variant: CodeVariant, input_shapes: Sequence[tuple[int, ...]]
) -> list[ExpectedCase]:
    expected = expected_outputs(variant, list(input_shapes))
    return [
        ExpectedCase(
            input_shape=tuple(shape),
            output_shape=tuple(case.output_shape),
            layer_output_shapes=tuple(
                None if layer.output_shape is None else tuple(layer.output_shape)
                for layer in leaf_layers(case.trace)
            ),
            is_visible=index == 0,
        )
        for index, (shape, case) in enumerate(zip(input_shapes, expected, strict=True))
    ]


def constraint_verdicts(variant: CodeVariant, outcome: Outcome) -> list[ConstraintVerdict]:
    """The question's rules, checked on the first input's trace (the visible example)."""
    if not variant.constraints:
        return []
    first = outcome.results[0] if outcome.results else None
    if first is None or first.error is not None:
        return [
            ConstraintVerdict(c.description, False, "Could not be checked: the code did not run.")
            for c in variant.constraints
        ]
    verdicts = check_constraints(
        variant.constraints, trace_layer_types(first.trace), first.parameter_count
    )
    return [ConstraintVerdict(v.constraint.description, v.passed, v.message) for v in verdicts]


def run_and_grade(
    *, variant: CodeVariant, code: str, input_shapes: Sequence[tuple[int, ...]], device: str
) -> GradeReport | None:
    """The grade, or None when the sandbox could not run at all (see last_unavailable_message)."""
    expected = expected_cases(variant, input_shapes)
    outcome = shared_client().run(build_job(variant, code, input_shapes, device))
    if outcome.status is Status.SANDBOX_UNAVAILABLE:
        _last_unavailable.message = f"The grading sandbox is unavailable: {outcome.message}"
        return None
    return grade(
        expected=expected,
        outcome=outcome,
        constraint_verdicts=constraint_verdicts(variant, outcome),
    )
