"""Per-layer shape traces via forward hooks, and shape extraction from nested outputs."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

MAX_TENSORS_PER_CALL = 16
MAX_NESTING = 4
MAX_NAME = 256
MAX_TYPE_NAME = 128


def shapes_of(value: Any, depth: int = 0, found: list[list[int]] | None = None) -> list[list[int]]:
    """Shapes of the tensors in `value` (a tensor or nested tuples, lists and dicts), in order."""
    found = [] if found is None else found
    if len(found) >= MAX_TENSORS_PER_CALL or depth > MAX_NESTING:
        return found
    if isinstance(value, torch.Tensor):
        found.append([int(size) for size in value.shape])
    elif isinstance(value, (tuple, list)):
        for item in value:
            shapes_of(item, depth + 1, found)
    elif isinstance(value, dict):
        for item in value.values():
            shapes_of(item, depth + 1, found)
    return found


class Tracer:
    """Records, in call order, each submodule's name, type, input shapes and output shapes.

    A pre-hook opens an entry and the matching post-hook closes it; an entry left open is a layer
    that raised. Entries are matched per module so that a forward that catches an exception
    raised by a child layer does not shift every later entry.
    """

    def __init__(self, model: nn.Module, limit: int) -> None:
        self.model = model
        self.limit = limit
        self.entries: list[dict[str, Any]] = []
        self.truncated = False
        self._open: dict[int, list[dict[str, Any] | None]] = {}
        self._handles: list[Any] = []

    def __enter__(self) -> Tracer:
        for name, module in self.model.named_modules():
            label = name[:MAX_NAME]
            self._handles.append(module.register_forward_pre_hook(self._before_hook(label)))
            self._handles.append(module.register_forward_hook(self._after_hook()))
        return self

    def __exit__(self, *exc_info: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()

    def _before_hook(self, name: str) -> Any:
        def before(module: nn.Module, args: Any) -> None:
            entry = None
            if len(self.entries) < self.limit:
                entry = {
                    "name": name,
                    "type": type(module).__name__[:MAX_TYPE_NAME],
                    "input_shapes": shapes_of(args),
                    "output_shapes": None,
                }
                self.entries.append(entry)
            else:
                self.truncated = True
            self._open.setdefault(id(module), []).append(entry)

        return before

    def _after_hook(self) -> Any:
        def after(module: nn.Module, args: Any, output: Any) -> None:
            stack = self._open.get(id(module))
            entry = stack.pop() if stack else None
            if entry is not None:
                entry["output_shapes"] = shapes_of(output)

        return after
