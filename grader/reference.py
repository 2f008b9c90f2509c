"""The trusted half of grading: hidden input shapes, expected shapes and traces, rule checks.

Runs inside the worker process and only ever executes reference solutions (ours or an
instructor's), never student code: that goes to the sandbox. The expected shapes computed here
never leave the worker. References run on the ``meta`` device, where a forward pass computes
shapes without allocating or computing any values; a reference that uses an operator without a
meta kernel falls back to a small real run on the CPU.
"""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from typing import Any, Protocol

import torch
from torch import nn

from grader.questions.base import CodeVariant, Constraint, ConstraintKind, InputRange

Shape = tuple[int, ...]

# Enough for every (template, seed) a busy worker sees in a while; a meta module is a few
# kilobytes, an expected case less than one.
REFERENCE_CACHE_SIZE = 512
CASE_CACHE_SIZE = 8192
ALTERNATIVE_SEPARATOR = "|"


class BrokenReferenceError(RuntimeError):
    """The reference solution itself failed: a broken question, never the student's fault."""


@dataclass(frozen=True)
class LayerRecord:
    """One call of one submodule in call order (parents first), as the sandbox reports it.

    ``name`` is the qualified name from ``named_modules()`` ("" for the model itself).
    """

    name: str
    type: str
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...]

    @property
    def input_shape(self) -> Shape | None:
        return self.input_shapes[0] if len(self.input_shapes) == 1 else None

    @property
    def output_shape(self) -> Shape | None:
        return self.output_shapes[0] if len(self.output_shapes) == 1 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "input_shapes": [list(shape) for shape in self.input_shapes],
            "output_shapes": [list(shape) for shape in self.output_shapes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LayerRecord:
        return cls(
            name=data["name"],
            type=data["type"],
            input_shapes=tuple(tuple(shape) for shape in data["input_shapes"]),
            output_shapes=tuple(tuple(shape) for shape in data["output_shapes"]),
        )


@dataclass(frozen=True)
class ExpectedCase:
    """What the reference produced for one input shape, and where it was computed."""

    input_shape: Shape
    output_shape: Shape
    trace: tuple[LayerRecord, ...]
    device: str  # "meta", or "cpu" after a fallback

    def to_dict(self) -> dict[str, Any]:
        return {
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "trace": [record.to_dict() for record in self.trace],
            "device": self.device,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExpectedCase:
        return cls(
            input_shape=tuple(data["input_shape"]),
            output_shape=tuple(data["output_shape"]),
            trace=tuple(LayerRecord.from_dict(record) for record in data["trace"]),
            device=data["device"],
        )


@dataclass(frozen=True)
class ConstraintResult:
    constraint: Constraint
    passed: bool
    message: str  # shown to the student

    def to_dict(self) -> dict[str, Any]:
        return {
            "constraint": self.constraint.to_dict(),
            "passed": self.passed,
            "message": self.message,
        }


class _NamedTyped(Protocol):
    name: str
    type: str


# --- hidden inputs ----------------------------------------------------------------------------


def allowed_sizes(low: int, high: int, multiple_of: int = 1) -> range:
    """The sizes a range may draw: multiples of ``multiple_of`` in [low, high]."""
    first = -(-low // multiple_of) * multiple_of
    sizes = range(first, high + 1, multiple_of)
    if not sizes:
        raise ValueError(f"no multiple of {multiple_of} in [{low}, {high}]")
    return sizes


def draw_shape(input_range: InputRange, rng: random.Random) -> Shape:
    batch = rng.randint(*input_range.batch)
    heights = allowed_sizes(*input_range.height, input_range.multiple_of)
    height = heights[rng.randrange(len(heights))]
    if input_range.square:
        return (batch, input_range.channels, height, height)
    widths = allowed_sizes(*input_range.width, input_range.multiple_of)
    return (batch, input_range.channels, height, widths[rng.randrange(len(widths))])


def draw_hidden_shapes(
    variant: CodeVariant, rng_source: random.Random | None = None
) -> list[Shape]:
    """One concrete shape per hidden range, for one submission.

    The default source is the OS's (``secrets.SystemRandom``): a student who knows the seed of
    the question still cannot predict the sizes. Store the result with the submission; a regrade
    reuses the stored shapes, and tests pass a seeded ``random.Random``.
    """
    rng = secrets.SystemRandom() if rng_source is None else rng_source
    return [draw_shape(input_range, rng) for input_range in variant.hidden_inputs]


def corner_shapes(input_range: InputRange) -> list[Shape]:
    """Every combination of the smallest and largest batch, height and width a range allows."""
    batches = sorted(set(input_range.batch))
    heights = allowed_sizes(*input_range.height, input_range.multiple_of)
    widths = allowed_sizes(*input_range.width, input_range.multiple_of)
    height_ends = sorted({heights[0], heights[-1]})
    if input_range.square:
        return [(b, input_range.channels, h, h) for b, h in product(batches, height_ends)]
    width_ends = sorted({widths[0], widths[-1]})
    return [
        (b, input_range.channels, h, w) for b, h, w in product(batches, height_ends, width_ends)
    ]


# --- building and tracing trusted code --------------------------------------------------------


def instantiate(code: str, entry: str, device: str = "meta") -> nn.Module:
    """Run trusted code in a fresh namespace and return the module its ``entry`` names.

    ``entry`` may name a module instance or a callable (a factory function or a Module subclass)
    that takes no arguments. Parameters are created directly on ``device``, so on meta nothing
    is allocated or initialised for real. Never call this with student code.
    """
    namespace: dict[str, Any] = {"__name__": "stride_reference"}
    with torch.device(device):
        # The code is a reference solution from the question bank, not a submission.
        exec(compile(code, "<reference>", "exec"), namespace)  # noqa: S102
        if entry not in namespace:
            raise BrokenReferenceError(f"the reference does not define '{entry}'")
        target = namespace[entry]
        if not isinstance(target, nn.Module) and not callable(target):
            raise BrokenReferenceError(
                f"'{entry}' is a {type(target).__name__}, neither a module nor a factory"
            )
        module = target if isinstance(target, nn.Module) else target()
    if not isinstance(module, nn.Module):
        raise BrokenReferenceError(f"'{entry}' gave a {type(module).__name__}, not an nn.Module")
    return module.eval()


def _shapes(value: object) -> tuple[Shape, ...]:
    if isinstance(value, torch.Tensor):
        return (tuple(value.shape),)
    if isinstance(value, list | tuple):
        return tuple(tuple(item.shape) for item in value if isinstance(item, torch.Tensor))
    return ()


def run_traced(
    module: nn.Module, input_shape: Sequence[int], device: str = "meta"
) -> tuple[Shape, tuple[LayerRecord, ...]]:
    """Run ``module`` on an input of ``input_shape`` and record every submodule call."""
    records: list[dict[str, Any]] = []
    open_calls: list[int] = []

    def before(name: str) -> Callable[..., None]:
        def hook(layer: nn.Module, args: tuple[Any, ...]) -> None:
            open_calls.append(len(records))
            records.append(
                {"name": name, "type": type(layer).__name__, "inputs": _shapes(args), "out": ()}
            )

        return hook

    def after(layer: nn.Module, args: tuple[Any, ...], output: object) -> None:
        records[open_calls.pop()]["out"] = _shapes(output)

    handles = []
    for name, layer in module.named_modules():
        handles.append(layer.register_forward_pre_hook(before(name)))
        handles.append(layer.register_forward_hook(after))
    try:
        # Values do not matter for shapes; zeros keep the CPU fallback deterministic.
        tensor = torch.zeros(tuple(input_shape), device=device)
        with torch.no_grad():
            output = module(tensor)
    finally:
        for handle in handles:
            handle.remove()
    if not isinstance(output, torch.Tensor):
        raise BrokenReferenceError(
            f"the reference returned a {type(output).__name__}, not a tensor"
        )
    trace = tuple(
        LayerRecord(record["name"], record["type"], record["inputs"], record["out"])
        for record in records
    )
    return tuple(output.shape), trace


class _Reference:
    """A built reference module; hooks are per call, so one lock keeps concurrent traces apart."""

    def __init__(self, module: nn.Module, device: str) -> None:
        self.module = module
        self.device = device
        self.lock = threading.Lock()
        self.parameter_count = sum(
            parameter.numel() for parameter in module.parameters() if parameter.requires_grad
        )

    def trace(self, input_shape: Shape) -> ExpectedCase:
        with self.lock:
            output_shape, trace = run_traced(self.module, input_shape, self.device)
        return ExpectedCase(tuple(input_shape), output_shape, trace, self.device)


@dataclass(frozen=True)
class _Key:
    """What identifies a reference. The code is part of it so that a fixed reference (a regrade
    after an edit) is never answered from the module built for the old one."""

    template: str
    seed: int
    code: str
    entry: str

    @classmethod
    def of(cls, variant: CodeVariant) -> _Key:
        return cls(variant.template, variant.seed, variant.reference_code, variant.entry)

    def describe(self) -> str:
        return f"the reference of {self.template} seed {self.seed}"


@lru_cache(maxsize=REFERENCE_CACHE_SIZE)
def _reference(key: _Key, device: str) -> _Reference:
    try:
        return _Reference(instantiate(key.code, key.entry, device), device)
    except (NotImplementedError, BrokenReferenceError):
        raise
    except Exception as error:  # the reference is ours: any failure is a broken question
        raise BrokenReferenceError(f"{key.describe()} failed to build: {error!r}") from error


def _trace_on(key: _Key, device: str, input_shape: Shape) -> ExpectedCase:
    reference = _reference(key, device)
    try:
        return reference.trace(input_shape)
    except NotImplementedError:
        raise
    except Exception as error:  # see _reference
        raise BrokenReferenceError(
            f"{key.describe()} failed on {device} for {input_shape}: {error!r}"
        ) from error


# Run (the visible example only) is the common request, and regrades repeat stored shapes, so
# the same (reference, shape) comes back often; a meta forward costs milliseconds.
@lru_cache(maxsize=CASE_CACHE_SIZE)
def _expected_case(key: _Key, input_shape: Shape) -> ExpectedCase:
    try:
        return _trace_on(key, "meta", input_shape)
    except NotImplementedError:
        # An operator without a meta kernel: pay for one small real run instead.
        pass
    try:
        return _trace_on(key, "cpu", input_shape)
    except NotImplementedError as error:
        raise BrokenReferenceError(f"{key.describe()} cannot run on CPU: {error!r}") from error


def expected_outputs(
    variant: CodeVariant, input_shapes: Iterable[Sequence[int]]
) -> list[ExpectedCase]:
    """The reference's output shape and layer trace for each input shape, in order.

    Raises BrokenReferenceError when the reference cannot produce one: grade nothing then.
    """
    key = _Key.of(variant)
    return [_expected_case(key, tuple(int(size) for size in shape)) for shape in input_shapes]


def reference_parameter_count(variant: CodeVariant) -> int:
    """Trainable parameters of the reference model (the same on meta as on any device)."""
    key = _Key.of(variant)
    try:
        return _reference(key, "meta").parameter_count
    except NotImplementedError:
        return _reference(key, "cpu").parameter_count


# Touches every operator family the templates use, so their first meta calls happen here.
_WARM_UP_CODE = """
import torch
import torch.nn as nn
import torch.nn.functional as F


class WarmUp(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1, dilation=1)
        self.norm = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2, ceil_mode=True)
        self.average = nn.AvgPool2d(2)
        self.up = nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1, output_padding=1)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * 4 * 4, 2))

    def forward(self, x):
        y = torch.relu(self.norm(self.conv(x)))
        y = y + self.up(self.pool(y))
        y = F.pad(torch.cat([y, y], dim=1), [0, 0, 0, 0])
        return self.head(self.average(y))


model = WarmUp()
"""


def warm_up() -> None:
    """Pay torch's one-time costs of the first meta operators at worker start.

    The first elementwise operator on meta imports torch's Python reference implementations
    (seconds on a loaded machine); call this when a worker process starts so that cost never
    lands on the first submission.
    """
    run_traced(instantiate(_WARM_UP_CODE, "model", "meta"), (1, 3, 8, 8), "meta")


def clear_reference_cache() -> None:
    _reference.cache_clear()
    _expected_case.cache_clear()


# --- constraints ------------------------------------------------------------------------------


def trace_layer_types(trace: Iterable[_NamedTyped]) -> list[str]:
    """One type name per distinct module in a trace: a layer called twice counts once.

    Works on this module's LayerRecord and on the sandbox's LayerTrace alike.
    """
    seen: dict[str, str] = {}
    for record in trace:
        seen.setdefault(record.name, record.type)
    return list(seen.values())


def _count(trace_types: Sequence[str], layer_type: str) -> int:
    alternatives = set(layer_type.split(ALTERNATIVE_SEPARATOR))
    return sum(1 for type_name in trace_types if type_name in alternatives)


def _label(layer_type: str) -> str:
    return " or ".join(layer_type.split(ALTERNATIVE_SEPARATOR))


def _check(
    constraint: Constraint, trace_types: Sequence[str], parameter_count: int | None
) -> ConstraintResult:
    kind, label, value = constraint.kind, _label(constraint.layer_type), constraint.value
    if kind is ConstraintKind.MAX_PARAMETERS:
        if parameter_count is None:
            return ConstraintResult(
                constraint, False, "The parameter count was not reported, so this rule fails."
            )
        passed = parameter_count <= value
        verdict = "within" if passed else "over"
        return ConstraintResult(
            constraint,
            passed,
            f"Your model has {parameter_count:,} trainable parameters: {verdict} the limit of "
            f"{value:,}.",
        )
    count = _count(trace_types, constraint.layer_type)
    if kind is ConstraintKind.LAYER_COUNT:
        passed = count == value
        return ConstraintResult(
            constraint, passed, f"Found {count} {label} layer(s); the question asks for {value}."
        )
    if kind is ConstraintKind.MAX_LAYER_COUNT:
        passed = count <= value
        return ConstraintResult(
            constraint, passed, f"Found {count} {label} layer(s); at most {value} allowed."
        )
    if kind is ConstraintKind.FORBIDDEN_LAYER:
        found = sorted({name for name in trace_types if _count([name], constraint.layer_type)})
        if not found:
            return ConstraintResult(constraint, True, f"No {label} layer found.")
        return ConstraintResult(
            constraint, False, f"Found {', '.join(found)}, which this question does not allow."
        )
    if kind is ConstraintKind.REQUIRED_LAYER:
        if count:
            return ConstraintResult(constraint, True, f"Found {count} {label} layer(s).")
        return ConstraintResult(constraint, False, f"No {label} layer found; one is required.")
    raise ValueError(f"unknown constraint kind {kind!r}")


def check_constraints(
    constraints: Iterable[Constraint], trace_types: Sequence[str], parameter_count: int | None
) -> list[ConstraintResult]:
    """Check a question's rules against one run's layers and parameter count.

    ``trace_types`` has one type name per distinct module (``trace_layer_types``). A layer
    constraint's ``layer_type`` may list alternatives separated by "|" ("MaxPool2d|AvgPool2d").
    A parameter rule fails when the count is unknown (None): a rule that cannot be checked is
    not passed.
    """
    return [_check(constraint, trace_types, parameter_count) for constraint in constraints]


__all__ = [
    "ConstraintResult",
    "ExpectedCase",
    "LayerRecord",
    "BrokenReferenceError",
    "allowed_sizes",
    "check_constraints",
    "clear_reference_cache",
    "corner_shapes",
    "draw_hidden_shapes",
    "draw_shape",
    "expected_outputs",
    "instantiate",
    "reference_parameter_count",
    "run_traced",
    "trace_layer_types",
    "warm_up",
]
