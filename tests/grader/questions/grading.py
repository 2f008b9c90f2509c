"""A trusted, in-process stand-in for grading a snippet, for the template tests only.

The real grader runs snippets in the sandbox; these tests only run code we wrote (starters,
references, hard-coded fakes), so running it here with the reference machinery is enough to ask
"would this snippet pass?".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from grader.questions.base import CodeVariant, InputRange
from grader.reference import (
    check_constraints,
    corner_shapes,
    expected_outputs,
    instantiate,
    run_traced,
    trace_layer_types,
)

Shape = tuple[int, ...]
SEEDS = range(50)


def extreme_shapes(input_range: InputRange) -> list[Shape]:
    """Every end of every dimension at least once: smallest everything, largest everything, and
    the smallest height with the largest width (a model that mixes up H and W fails that one)."""
    corners = corner_shapes(input_range)
    smallest, largest = corners[0], corners[-1]
    mixed = (smallest[0], smallest[1], smallest[2], largest[3])
    return list(dict.fromkeys([smallest, largest, mixed]))


def hidden_extremes(variant: CodeVariant) -> list[list[Shape]]:
    """Per hidden range, its extreme shapes."""
    return [extreme_shapes(input_range) for input_range in variant.hidden_inputs]


def snippet_output(code: str, entry: str, shape: Sequence[int], device: str) -> Shape | None:
    """The snippet's output shape, or None when building or running it raises."""
    try:
        module = instantiate(code, entry, device)
        output_shape, _ = run_traced(module, shape, device)
    except Exception:  # any error is a failed case, as in the sandbox
        return None
    return output_shape


def snippet_constraints_pass(variant: CodeVariant, code: str) -> bool:
    module = instantiate(code, variant.entry, "meta")
    _, trace = run_traced(module, variant.visible_input, "meta")
    count = sum(parameter.numel() for parameter in module.parameters())
    results = check_constraints(variant.constraints, trace_layer_types(trace), count)
    return all(result.passed for result in results)


def failing_shapes(
    variant: CodeVariant, code: str, shapes: Iterable[Shape], device: str = "meta"
) -> list[Shape]:
    """The input shapes on which the snippet's output differs from the reference's."""
    shapes = list(shapes)
    expected = expected_outputs(variant, shapes)
    return [
        case.input_shape
        for case in expected
        if snippet_output(code, variant.entry, case.input_shape, device) != case.output_shape
    ]
