"""Runs one job's student code inside an already isolated child and builds the result.

Nothing here is a security boundary (the kernel is): the student's code runs in this very
interpreter and can tamper with anything in it, this module included. What this module owes the
grader is a faithful report for honest code: the output shape per input, a per-layer shape trace,
and errors with tracebacks trimmed to the student's own lines.
"""

from __future__ import annotations

import builtins
import itertools
import json
import linecache
import traceback
from typing import Any

import torch
from torch import nn
from torch.func import functional_call

from sandbox.tracing import Tracer
from sandbox.validation import (
    MAX_MESSAGE,
    MAX_RESULT_BYTES,
    MAX_TOTAL_TRACE_ENTRIES,
    MAX_TRACE_ENTRIES,
    MAX_TRACEBACK,
    MAX_TYPE_NAME,
)

MAX_TRACEBACK_FRAMES = 30
# A meta run that fails is retried on real tensors only if the input fits comfortably in memory.
CPU_FALLBACK_MEMORY_FRACTION = 8
INTEGER_INPUT_HIGH = 10


class EntryPointError(Exception):
    """The snippet does not define a usable entry point."""


# Shown to students as plain "EntryPointError: ...", like a builtin, not as sandbox.runner's.
EntryPointError.__module__ = "builtins"


def _safe_text(value: object, limit: int) -> str:
    try:
        text = str(value)
    except Exception as exc:  # noqa: BLE001 - a student's __str__ may raise anything
        text = f"<unprintable: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 15] + "... [truncated]"


def error_info(exc: BaseException, filename: str) -> dict[str, Any]:
    """Describe `exc` with a traceback that shows only frames from the student's file."""
    walked = traceback.walk_tb(exc.__traceback__)
    frames = [
        frame
        for frame in traceback.StackSummary.extract(walked, lookup_lines=False)
        if frame.filename == filename
    ]
    omitted = max(0, len(frames) - MAX_TRACEBACK_FRAMES)
    frames = frames[omitted:]
    lines: list[str] = []
    if frames:
        lines.append("Traceback (most recent call last):\n")
        if omitted:
            lines.append(f"  [... {omitted} earlier frames omitted ...]\n")
        lines += traceback.format_list(frames)
    try:
        lines += traceback.format_exception_only(type(exc), exc)
    except Exception:  # noqa: BLE001 - formatting calls the student's __str__
        lines.append(f"{type(exc).__name__}: <unprintable>\n")
    line = frames[-1].lineno if frames else None
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        line = exc.lineno
    text = "".join(lines)
    if len(text) > MAX_TRACEBACK:
        text = "[... traceback truncated ...]\n" + text[-(MAX_TRACEBACK - 40) :]
    return {
        "type": type(exc).__qualname__[:MAX_TYPE_NAME],
        "message": _safe_text(exc, MAX_MESSAGE),
        "traceback": text,
        "line": line if isinstance(line, int) else None,
    }


def _resolve_entry(namespace: dict[str, Any], entry: str) -> nn.Module:
    if entry not in namespace:
        raise EntryPointError(f"the snippet does not define `{entry}`")
    candidate = namespace[entry]
    if isinstance(candidate, nn.Module):
        return candidate
    if callable(candidate):
        built = candidate()
        if isinstance(built, nn.Module):
            return built
        raise EntryPointError(
            f"`{entry}()` returned {type(built).__name__}, expected a torch.nn.Module"
        )
    raise EntryPointError(
        f"`{entry}` is a {type(candidate).__name__}, expected a torch.nn.Module "
        "or a function that returns one"
    )


def _dtype(name: str) -> torch.dtype:
    return getattr(torch, name)


def _make_input(spec: dict[str, Any], device: str) -> torch.Tensor:
    shape = tuple(spec["shape"])
    dtype = _dtype(spec["dtype"])
    if device == "meta":
        return torch.empty(shape, dtype=dtype, device="meta")
    if spec.get("values") is not None:
        tensor = torch.tensor(spec["values"], dtype=dtype)
        return tensor.reshape(shape).to(device)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, device=device).bool()
    if dtype.is_floating_point:
        return torch.randn(shape, dtype=dtype, device=device)
    return torch.randint(0, INTEGER_INPUT_HIGH, shape, dtype=dtype, device=device)


def _input_bytes(spec: dict[str, Any]) -> int:
    count = 1
    for size in spec["shape"]:
        count *= size
    return count * torch.empty((), dtype=_dtype(spec["dtype"])).element_size()


def _meta_state(model: nn.Module) -> dict[str, torch.Tensor]:
    named = itertools.chain(model.named_parameters(), model.named_buffers())
    return {name: tensor.to("meta") for name, tensor in named}


class Runner:
    """Builds the student's module once, then runs each input on the requested device."""

    def __init__(self, job: dict[str, Any], memory_bytes: int) -> None:
        self.job = job
        self.filename: str = job["filename"]
        self.memory_bytes = memory_bytes
        self.trace_budget = MAX_TOTAL_TRACE_ENTRIES
        self.parameter_count: int | None = None

    def build(self) -> nn.Module:
        source: str = self.job["code"]
        # Registering the source lets tracebacks show the student's lines without a file.
        linecache.cache[self.filename] = (len(source), None, source.splitlines(True), self.filename)
        namespace: dict[str, Any] = {
            "__name__": "__snippet__",
            "__file__": self.filename,
            "__builtins__": builtins,
        }
        code = compile(source, self.filename, "exec", dont_inherit=True)
        # Running the student's code is the whole point; the kernel, not Python, contains it.
        exec(code, namespace)  # noqa: S102
        model = _resolve_entry(namespace, self.job["entry"])
        # Shapes are graded in inference mode: no autograd memory, BatchNorm uses running stats.
        model.eval()
        self.parameter_count = sum(int(p.numel()) for p in model.parameters())
        if self.job["device"] == "cuda":
            model = model.to("cuda")
        return model

    def _attempt(self, model: nn.Module, spec: dict[str, Any], index: int, device: str) -> dict:
        limit = max(0, min(MAX_TRACE_ENTRIES, self.trace_budget))
        tracer = Tracer(model, limit)
        result: dict[str, Any] = {
            "index": index,
            "device": device,
            "output_shape": None,
            "output_dtype": None,
            "error": None,
            "trace": tracer.entries,
            "trace_truncated": False,
            "parameter_count": self.parameter_count,
        }
        try:
            tensor = _make_input(spec, device)
            with torch.no_grad(), tracer:
                if device == "meta":
                    output = functional_call(model, _meta_state(model), (tensor,))
                else:
                    output = model(tensor)
            if not isinstance(output, torch.Tensor):
                raise TypeError(
                    f"forward returned {type(output).__name__}, expected a single tensor"
                )
            result["output_shape"] = [int(size) for size in output.shape]
            result["output_dtype"] = str(output.dtype).removeprefix("torch.")
        except BaseException as exc:  # noqa: BLE001 - the student's code may raise anything
            result["error"] = error_info(exc, self.filename)
        result["trace_truncated"] = tracer.truncated
        self.trace_budget -= len(tracer.entries)
        return result

    def run_input(self, model: nn.Module, spec: dict[str, Any], index: int) -> dict[str, Any]:
        device = self.job["device"]
        result = self._attempt(model, spec, index, device)
        if device != "meta" or result["error"] is None:
            return result
        # Meta cannot answer data-dependent ops (.item(), nonzero, boolean masks) and its shape
        # errors are terse; real tensors answer both, if the input is small enough to allocate.
        if _input_bytes(spec) * CPU_FALLBACK_MEMORY_FRACTION > self.memory_bytes:
            return result
        return self._attempt(model, spec, index, "cpu")

    def run(self) -> dict[str, Any]:
        try:
            model = self.build()
        except BaseException as exc:  # noqa: BLE001 - includes SystemExit from the snippet
            return {"build_error": error_info(exc, self.filename), "results": []}
        results = [
            self.run_input(model, spec, index) for index, spec in enumerate(self.job["inputs"])
        ]
        return {"build_error": None, "results": results}


def encode_result(result: dict[str, Any]) -> bytes:
    """JSON-encode the result, dropping traces if that is what it takes to fit the size cap."""
    encoded = json.dumps(result, ensure_ascii=True).encode("ascii")
    if len(encoded) <= MAX_RESULT_BYTES:
        return encoded
    for item in result["results"]:
        item["trace"] = []
        item["trace_truncated"] = True
    return json.dumps(result, ensure_ascii=True).encode("ascii")
