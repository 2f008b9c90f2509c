"""Job builders shared by the sandbox tests."""

from __future__ import annotations

from typing import Any

from sandbox import InputSpec, Job, Limits

HEADER = "import torch\nfrom torch import nn\n"
GENEROUS = Limits(wall_time_s=20.0, cpu_time_s=20)


def make_job(code: str, *shapes: tuple[int, ...], **options: Any) -> Job:
    """A job for `code` (torch and nn already imported) with one float input per shape.

    Line numbers in tracebacks are those of `code` plus two (the header).
    """
    options.setdefault("limits", GENEROUS)
    return Job(
        code=HEADER + code,
        inputs=tuple(InputSpec(shape) for shape in (shapes or ((1, 3, 8, 8),))),
        **options,
    )
