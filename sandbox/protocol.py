"""The sandbox's data model: what goes in (Job) and what comes out (Outcome).

Everything here is plain data that round-trips through JSON, because it crosses two process
boundaries (worker -> fork-server -> child) and the way back is untrusted (see validation.py).
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from typing import Any

KIB = 1024
MIB = 1024 * KIB

DEVICES = ("cpu", "meta", "cuda")
DTYPES = (
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "int64",
    "int32",
    "int16",
    "int8",
    "uint8",
    "bool",
)


class Status(enum.StrEnum):
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    KILLED = "killed"
    INVALID_RESULT = "invalid_result"
    SANDBOX_UNAVAILABLE = "sandbox_unavailable"


Shape = tuple[int, ...]


@dataclass(frozen=True)
class InputSpec:
    """One input tensor: its shape and dtype, and optionally small concrete values.

    Without values, floating inputs are drawn from a seeded standard normal, integer inputs from
    [0, 10) and booleans from a fair coin.
    """

    shape: Shape
    dtype: str = "float32"
    values: Any = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", tuple(int(size) for size in self.shape))
        if any(size < 0 for size in self.shape):
            raise ValueError(f"negative dimension in shape {self.shape}")
        if self.dtype not in DTYPES:
            raise ValueError(f"unsupported dtype {self.dtype!r}; one of {', '.join(DTYPES)}")

    def to_dict(self) -> dict[str, Any]:
        return {"shape": list(self.shape), "dtype": self.dtype, "values": self.values}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputSpec:
        return cls(
            shape=tuple(data["shape"]),
            dtype=data.get("dtype", "float32"),
            values=data.get("values"),
        )


@dataclass(frozen=True)
class Limits:
    """Per-job resource limits. Memory and processes use cgroups where the host has them."""

    wall_time_s: float = 10.0
    cpu_time_s: int = 10
    memory_bytes: int = 512 * MIB
    max_processes: int = 32
    max_output_bytes: int = 64 * KIB
    max_file_bytes: int = 16 * MIB
    max_open_files: int = 128

    def __post_init__(self) -> None:
        if self.wall_time_s <= 0 or self.cpu_time_s <= 0:
            raise ValueError("time limits must be positive")
        if self.memory_bytes < 16 * MIB:
            raise ValueError("memory limit below 16 MiB cannot run torch")
        if self.max_processes < 1 or self.max_open_files < 16 or self.max_output_bytes < 0:
            raise ValueError("process, file and output limits out of range")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        return cls(**data)


@dataclass(frozen=True)
class Job:
    """What the worker hands to the sandbox: the code and the inputs, never the expected answer.

    `entry` names what the snippet must define: an `nn.Module` instance, or a callable (a function
    or a Module subclass) that takes no arguments and returns one. `seed` fixes the randomness of
    the run; None draws a fresh seed per job.
    """

    code: str
    inputs: tuple[InputSpec, ...]
    entry: str = "model"
    device: str = "cpu"
    limits: Limits = field(default_factory=Limits)
    seed: int | None = None
    filename: str = "snippet.py"

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        if self.device not in DEVICES:
            raise ValueError(f"unsupported device {self.device!r}; one of {', '.join(DEVICES)}")
        if not self.entry.isidentifier():
            raise ValueError(f"entry point {self.entry!r} is not a Python identifier")
        if not self.inputs:
            raise ValueError("a job needs at least one input")
        if "/" in self.filename or not self.filename:
            raise ValueError("filename is a bare name shown in tracebacks, not a path")

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "inputs": [spec.to_dict() for spec in self.inputs],
            "entry": self.entry,
            "device": self.device,
            "limits": self.limits.to_dict(),
            "seed": self.seed,
            "filename": self.filename,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        return cls(
            code=data["code"],
            inputs=tuple(InputSpec.from_dict(spec) for spec in data["inputs"]),
            entry=data.get("entry", "model"),
            device=data.get("device", "cpu"),
            limits=Limits.from_dict(data.get("limits", {})),
            seed=data.get("seed"),
            filename=data.get("filename", "snippet.py"),
        )


@dataclass(frozen=True)
class ErrorInfo:
    """An exception raised by the student's code, its traceback trimmed to the student's lines."""

    type: str
    message: str
    traceback: str
    line: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ErrorInfo:
        return cls(
            type=data["type"],
            message=data["message"],
            traceback=data["traceback"],
            line=data.get("line"),
        )


@dataclass(frozen=True)
class LayerTrace:
    """One call of one submodule during the forward pass, in call order (parents first).

    `output_shapes` is None when the layer raised: the last such entry is where it broke.
    """

    name: str
    type: str
    input_shapes: tuple[Shape, ...]
    output_shapes: tuple[Shape, ...] | None

    @property
    def input_shape(self) -> Shape | None:
        return self.input_shapes[0] if len(self.input_shapes) == 1 else None

    @property
    def output_shape(self) -> Shape | None:
        if self.output_shapes is None or len(self.output_shapes) != 1:
            return None
        return self.output_shapes[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "input_shapes": [list(shape) for shape in self.input_shapes],
            "output_shapes": (
                None if self.output_shapes is None else [list(s) for s in self.output_shapes]
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LayerTrace:
        outputs = data["output_shapes"]
        return cls(
            name=data["name"],
            type=data["type"],
            input_shapes=tuple(tuple(shape) for shape in data["input_shapes"]),
            output_shapes=None if outputs is None else tuple(tuple(s) for s in outputs),
        )


@dataclass(frozen=True)
class InputResult:
    """The result for one input: an output shape, or the error the student's code raised.

    `parameter_count` is the number of parameters of the student's module (the same for every
    input; repeated here so that one result is self-contained).
    """

    index: int
    device: str
    output_shape: Shape | None = None
    output_dtype: str | None = None
    error: ErrorInfo | None = None
    trace: tuple[LayerTrace, ...] = ()
    trace_truncated: bool = False
    parameter_count: int | None = None

    @property
    def is_ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "device": self.device,
            "output_shape": None if self.output_shape is None else list(self.output_shape),
            "output_dtype": self.output_dtype,
            "error": None if self.error is None else asdict(self.error),
            "trace": [layer.to_dict() for layer in self.trace],
            "trace_truncated": self.trace_truncated,
            "parameter_count": self.parameter_count,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputResult:
        shape = data.get("output_shape")
        error = data.get("error")
        return cls(
            index=data["index"],
            device=data["device"],
            output_shape=None if shape is None else tuple(shape),
            output_dtype=data.get("output_dtype"),
            error=None if error is None else ErrorInfo.from_dict(error),
            trace=tuple(LayerTrace.from_dict(layer) for layer in data.get("trace", [])),
            trace_truncated=data.get("trace_truncated", False),
            parameter_count=data.get("parameter_count"),
        )


@dataclass(frozen=True)
class Outcome:
    """Everything the sandbox learned about one job.

    `message` explains any status other than ok in one sentence. `error` is set when the snippet
    could not even be built (syntax error, exception at import, missing entry point); per-input
    errors live in `results`. Times and peak memory are measured from outside the child.
    `missing_protections` is empty except in the explicitly unsafe development mode.
    """

    status: Status
    message: str = ""
    results: tuple[InputResult, ...] = ()
    error: ErrorInfo | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    wall_time_s: float = 0.0
    cpu_time_s: float = 0.0
    peak_memory_bytes: int | None = None
    seed: int | None = None
    device: str = "cpu"
    missing_protections: tuple[str, ...] = ()

    @property
    def answered_on(self) -> tuple[str, ...]:
        """The devices that produced the per-input results (meta, cpu, or both after fallback)."""
        return tuple(sorted({result.device for result in self.results}))

    @property
    def output_shapes(self) -> tuple[Shape | None, ...]:
        return tuple(result.output_shape for result in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "message": self.message,
            "results": [result.to_dict() for result in self.results],
            "error": None if self.error is None else asdict(self.error),
            "stdout": self.stdout,
            "stderr": self.stderr,
            "stdout_truncated": self.stdout_truncated,
            "stderr_truncated": self.stderr_truncated,
            "wall_time_s": self.wall_time_s,
            "cpu_time_s": self.cpu_time_s,
            "peak_memory_bytes": self.peak_memory_bytes,
            "seed": self.seed,
            "device": self.device,
            "answered_on": list(self.answered_on),
            "missing_protections": list(self.missing_protections),
        }

    def to_json(self, indent: int | None = None) -> str:
        # ensure_ascii keeps terminal control bytes the snippet printed escaped (\u001b...).
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        error = data.get("error")
        return cls(
            status=Status(data["status"]),
            message=data.get("message", ""),
            results=tuple(InputResult.from_dict(result) for result in data.get("results", [])),
            error=None if error is None else ErrorInfo.from_dict(error),
            stdout=data.get("stdout", ""),
            stderr=data.get("stderr", ""),
            stdout_truncated=data.get("stdout_truncated", False),
            stderr_truncated=data.get("stderr_truncated", False),
            wall_time_s=data.get("wall_time_s", 0.0),
            cpu_time_s=data.get("cpu_time_s", 0.0),
            peak_memory_bytes=data.get("peak_memory_bytes"),
            seed=data.get("seed"),
            device=data.get("device", "cpu"),
            missing_protections=tuple(data.get("missing_protections", ())),
        )

    @classmethod
    def unavailable(cls, message: str, *, device: str = "cpu") -> Outcome:
        return cls(status=Status.SANDBOX_UNAVAILABLE, message=message, device=device)
