"""Schema check of what the child sends back. Everything the child writes is untrusted.

The child may be fully under the student's control by the time it writes its result, so this
module treats the bytes as hostile input: a size cap before parsing, then a strict schema (no
unknown keys, exact types, bounded lengths). Anything that does not pass is `invalid_result`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sandbox.protocol import DEVICES, ErrorInfo, InputResult, LayerTrace, Shape

MAX_RESULT_BYTES = 4 * 1024 * 1024
MAX_TRACE_ENTRIES = 512
MAX_TOTAL_TRACE_ENTRIES = 4096
MAX_DIMS = 32
MAX_SHAPES_PER_LAYER = 64
MAX_DIM_SIZE = 2**62
MAX_NAME = 512
MAX_TYPE_NAME = 256
MAX_MESSAGE = 4000
MAX_TRACEBACK = 16000
MAX_CPU_SECONDS = 10**6


class InvalidResult(Exception):
    """The child's result is not a well-formed answer to the job it was given."""


def _require(condition: bool, why: str) -> None:
    if not condition:
        raise InvalidResult(why)


def _exact_keys(data: Any, required: set[str], where: str) -> None:
    _require(isinstance(data, dict), f"{where} is not an object")
    _require(set(data) == required, f"{where} has keys {sorted(data)}, expected {sorted(required)}")


def _string(value: Any, limit: int, where: str) -> str:
    _require(isinstance(value, str), f"{where} is not a string")
    _require(len(value) <= limit, f"{where} is longer than {limit} characters")
    return value


def _shape(value: Any, where: str) -> Shape:
    _require(isinstance(value, list) and len(value) <= MAX_DIMS, f"{where} is not a shape")
    for size in value:
        # bool is an int subclass; a shape of booleans is a forgery, not a shape.
        _require(type(size) is int and 0 <= size <= MAX_DIM_SIZE, f"{where} has a bad dimension")
    return tuple(value)


def _shapes(value: Any, where: str) -> tuple[Shape, ...]:
    _require(
        isinstance(value, list) and len(value) <= MAX_SHAPES_PER_LAYER, f"{where} is not a list"
    )
    return tuple(_shape(shape, where) for shape in value)


def _error(value: Any, where: str) -> ErrorInfo | None:
    if value is None:
        return None
    _exact_keys(value, {"type", "message", "traceback", "line"}, where)
    line = value["line"]
    _require(line is None or (type(line) is int and line >= 0), f"{where}.line is not a line")
    return ErrorInfo(
        type=_string(value["type"], MAX_TYPE_NAME, f"{where}.type"),
        message=_string(value["message"], MAX_MESSAGE, f"{where}.message"),
        traceback=_string(value["traceback"], MAX_TRACEBACK, f"{where}.traceback"),
        line=line,
    )


def _layer(value: Any, where: str) -> LayerTrace:
    _exact_keys(value, {"name", "type", "input_shapes", "output_shapes"}, where)
    outputs = value["output_shapes"]
    return LayerTrace(
        name=_string(value["name"], MAX_NAME, f"{where}.name"),
        type=_string(value["type"], MAX_TYPE_NAME, f"{where}.type"),
        input_shapes=_shapes(value["input_shapes"], f"{where}.input_shapes"),
        output_shapes=None if outputs is None else _shapes(outputs, f"{where}.output_shapes"),
    )


def _input_result(value: Any, index: int, requested_device: str) -> InputResult:
    where = f"results[{index}]"
    _exact_keys(
        value,
        {
            "index",
            "device",
            "output_shape",
            "output_dtype",
            "error",
            "trace",
            "trace_truncated",
            "parameter_count",
        },
        where,
    )
    count = value["parameter_count"]
    _require(
        count is None or (type(count) is int and 0 <= count <= MAX_DIM_SIZE),
        f"{where}.parameter_count",
    )
    _require(type(value["index"]) is int and value["index"] == index, f"{where}.index mismatch")
    device = value["device"]
    _require(device in DEVICES, f"{where}.device is not a device")
    # Only a meta job may fall back to cpu; a cpu job answered "on meta" would be a forgery.
    _require(
        device == requested_device or (requested_device == "meta" and device == "cpu"),
        f"{where}.device {device!r} does not match the job",
    )
    error = _error(value["error"], f"{where}.error")
    shape = value["output_shape"]
    dtype = value["output_dtype"]
    if error is None:
        output_shape = _shape(shape, f"{where}.output_shape")
        _string(dtype, 32, f"{where}.output_dtype")
    else:
        _require(shape is None and dtype is None, f"{where} has both an error and an output")
        output_shape = None
    trace = value["trace"]
    _require(isinstance(trace, list) and len(trace) <= MAX_TRACE_ENTRIES, f"{where}.trace")
    _require(isinstance(value["trace_truncated"], bool), f"{where}.trace_truncated")
    return InputResult(
        index=index,
        device=device,
        output_shape=output_shape,
        output_dtype=dtype,
        error=error,
        trace=tuple(_layer(layer, f"{where}.trace[{n}]") for n, layer in enumerate(trace)),
        trace_truncated=value["trace_truncated"],
        parameter_count=count,
    )


@dataclass(frozen=True)
class ChildReport:
    """A schema-valid result. `cpu_time_s` and `peak_memory_bytes` are the child's own word:
    informational only, never a basis for grading or limits (those are enforced by the kernel)."""

    build_error: ErrorInfo | None
    results: tuple[InputResult, ...]
    cpu_time_s: float
    peak_memory_bytes: int


def _usage(value: Any) -> tuple[float, int]:
    _exact_keys(value, {"cpu_time_s", "peak_memory_bytes"}, "usage")
    cpu, peak = value["cpu_time_s"], value["peak_memory_bytes"]
    _require(type(cpu) in (int, float) and 0 <= cpu <= MAX_CPU_SECONDS, "usage.cpu_time_s")
    _require(type(peak) is int and 0 <= peak <= MAX_DIM_SIZE, "usage.peak_memory_bytes")
    return float(cpu), peak


def parse_child_result(raw: bytes, *, input_count: int, device: str) -> ChildReport:
    """Parse the child's result bytes for a job with `input_count` inputs on `device`.

    Raises InvalidResult for anything but a well-formed answer to that job.
    """
    _require(len(raw) <= MAX_RESULT_BYTES, f"result larger than {MAX_RESULT_BYTES} bytes")
    _require(bool(raw), "the child reported no result")
    try:
        data = json.loads(raw.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidResult(f"result is not JSON: {exc.__class__.__name__}") from None
    _exact_keys(data, {"build_error", "results", "usage"}, "result")
    build_error = _error(data["build_error"], "build_error")
    cpu, peak = _usage(data["usage"])
    results = data["results"]
    _require(isinstance(results, list), "results is not a list")
    if build_error is not None:
        _require(results == [], "a build error comes with no per-input results")
        return ChildReport(build_error, (), cpu, peak)
    _require(len(results) == input_count, f"{len(results)} results for {input_count} inputs")
    parsed = tuple(_input_result(value, n, device) for n, value in enumerate(results))
    total = sum(len(result.trace) for result in parsed)
    _require(total <= MAX_TOTAL_TRACE_ENTRIES, "trace too long")
    return ChildReport(None, parsed, cpu, peak)
