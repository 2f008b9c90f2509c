"""Code questions as data: what a student must build, the reference, the inputs, the rules.

A CodeQuestionTemplate turns a seed into a CodeVariant (new channel counts and sizes per seed, like
the formula families). The reference solution and the hidden input ranges are grading secrets: they
stay in the worker and never enter the sandbox or a student's page.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from quizzes.generators.randomness import QuestionRandom


class Device(StrEnum):
    CPU = "cpu"
    GPU = "gpu"


class ConstraintKind(StrEnum):
    LAYER_COUNT = "layer_count"  # exactly `value` layers of `layer_type` (e.g. Conv2d)
    MAX_LAYER_COUNT = "max_layer_count"  # at most `value` layers of `layer_type`
    FORBIDDEN_LAYER = "forbidden_layer"  # no layer whose type is `layer_type` (e.g. MaxPool2d)
    REQUIRED_LAYER = "required_layer"  # at least one layer of `layer_type`
    MAX_PARAMETERS = "max_parameters"  # total trainable parameters at most `value`


@dataclass(frozen=True)
class Constraint:
    kind: ConstraintKind
    description: str  # shown to the student: "Use exactly two Conv2d layers."
    layer_type: str = ""  # a torch.nn class name, for the layer constraints
    value: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "kind": str(self.kind)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Constraint:
        return cls(
            kind=ConstraintKind(data["kind"]),
            description=data["description"],
            layer_type=data.get("layer_type", ""),
            value=int(data.get("value", 0)),
        )


@dataclass(frozen=True)
class InputRange:
    """A hidden input: channels fixed by the question, batch and spatial size drawn per submission.

    ``square`` draws one size for both H and W.
    """

    channels: int
    batch: tuple[int, int]
    height: tuple[int, int]
    width: tuple[int, int]
    square: bool = False
    # Sizes must be a multiple of this (e.g. 4 for "downsample by 4 exactly").
    multiple_of: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "channels": self.channels,
            "batch": list(self.batch),
            "height": list(self.height),
            "width": list(self.width),
            "square": self.square,
            "multiple_of": self.multiple_of,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InputRange:
        return cls(
            channels=int(data["channels"]),
            batch=(int(data["batch"][0]), int(data["batch"][1])),
            height=(int(data["height"][0]), int(data["height"][1])),
            width=(int(data["width"][0]), int(data["width"][1])),
            square=bool(data.get("square", False)),
            multiple_of=int(data.get("multiple_of", 1)),
        )


@dataclass(frozen=True)
class CodeVariant:
    template: str  # the template slug
    seed: int
    title: str
    prompt: str  # markdown, shown to the student
    starter_code: str  # shown in the editor at first
    reference_code: str  # SECRET: never shown to students, never sent to the sandbox
    entry: str  # the name the snippet must define ("model", or a factory such as "build")
    visible_input: tuple[int, ...]  # the example shape shown in the prompt (N, C, H, W)
    hidden_inputs: tuple[InputRange, ...]  # SECRET ranges; concrete shapes drawn per submission
    constraints: tuple[Constraint, ...] = ()
    device: Device = Device.CPU
    allow_cpu_fallback: bool = True  # for gpu questions: may run on CPU when no GPU worker is up
    time_limit_s: float = 10.0
    memory_limit_mb: int = 768
    hints: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)  # the seeded numbers, for authors

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "seed": self.seed,
            "title": self.title,
            "prompt": self.prompt,
            "starter_code": self.starter_code,
            "reference_code": self.reference_code,
            "entry": self.entry,
            "visible_input": list(self.visible_input),
            "hidden_inputs": [item.to_dict() for item in self.hidden_inputs],
            "constraints": [item.to_dict() for item in self.constraints],
            "device": str(self.device),
            "allow_cpu_fallback": self.allow_cpu_fallback,
            "time_limit_s": self.time_limit_s,
            "memory_limit_mb": self.memory_limit_mb,
            "hints": list(self.hints),
            "params": self.params,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CodeVariant:
        return cls(
            template=data["template"],
            seed=int(data["seed"]),
            title=data["title"],
            prompt=data["prompt"],
            starter_code=data["starter_code"],
            reference_code=data["reference_code"],
            entry=data["entry"],
            visible_input=tuple(int(v) for v in data["visible_input"]),
            hidden_inputs=tuple(InputRange.from_dict(item) for item in data["hidden_inputs"]),
            constraints=tuple(Constraint.from_dict(item) for item in data.get("constraints", [])),
            device=Device(data.get("device", "cpu")),
            allow_cpu_fallback=bool(data.get("allow_cpu_fallback", True)),
            time_limit_s=float(data.get("time_limit_s", 10.0)),
            memory_limit_mb=int(data.get("memory_limit_mb", 768)),
            hints=tuple(data.get("hints", [])),
            params=dict(data.get("params", {})),
        )

    def public_dict(self) -> dict[str, Any]:
        """What a student may see: no reference, no hidden ranges."""
        data = self.to_dict()
        del data["reference_code"]
        del data["hidden_inputs"]
        return data


class CodeQuestionTemplate(ABC):
    slug: str  # stable, e.g. "map-shape"
    title: str
    description: str  # one line for the catalogue and `manage.py grade --help`

    def generate(self, *, seed: int) -> CodeVariant:
        return self.build(QuestionRandom(f"code:{self.slug}:{seed}"), seed)

    @abstractmethod
    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        """Draw the numbers with ``rng`` only (determinism) and write the whole question."""
