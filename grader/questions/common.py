"""What the code-question templates share: the prompt layout, hidden ranges, common rules.

Every template promises a shape rule in words ("for any H, W divisible by 4 ...") and states the
same rule as arithmetic in ``promised_output``, so a test can hold the prompt, the reference and
torch against each other.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

from grader.questions.base import (
    CodeQuestionTemplate,
    Constraint,
    ConstraintKind,
    InputRange,
)
from quizzes.generators.text import shape_text

Shape = tuple[int, ...]

CODE_HEAD = "import torch\nimport torch.nn as nn\n"
CODE_HEAD_FUNCTIONAL = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

MODEL_ENTRY = "`model`: an `nn.Module` instance (an `nn.Sequential` or an object of your own class)"
FACTORY_ENTRY = "`build()`: a function that takes no arguments and returns your `nn.Module`"
GPU_NOTE = (
    "This question runs on a GPU worker when one is online, and on a CPU worker otherwise: the "
    "shapes are the same on both, so write ordinary device-agnostic code."
)

# "|" separates alternatives in a layer constraint's layer_type (see grader.reference).
POOLING_TYPES = (
    "MaxPool2d|AvgPool2d|AdaptiveMaxPool2d|AdaptiveAvgPool2d|LPPool2d|FractionalMaxPool2d"
)
UPSAMPLING_TYPES = "Upsample|UpsamplingNearest2d|UpsamplingBilinear2d|PixelShuffle"

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def snippet(body: str, head: str = CODE_HEAD) -> str:
    """Imports, then the body, with PEP 8's two blank lines before a top-level class or def."""
    separator = "\n\n" if body.startswith(("class ", "def ")) else "\n"
    return head + separator + body


def number_word(value: int) -> str:
    return NUMBER_WORDS[value] if 0 <= value < len(NUMBER_WORDS) else str(value)


def code_shape(shape: Sequence[int]) -> str:
    """A shape as inline markdown code: ``(2, 3, 32, 32)``."""
    return f"`{shape_text(shape)}`"


def exact_count(layer_type: str, count: int, description: str = "") -> Constraint:
    plural = "" if count == 1 else "s"
    return Constraint(
        kind=ConstraintKind.LAYER_COUNT,
        description=description
        or f"Use exactly {number_word(count)} `nn.{layer_type}` layer{plural}.",
        layer_type=layer_type,
        value=count,
    )


def forbidden(layer_type: str, description: str) -> Constraint:
    return Constraint(
        kind=ConstraintKind.FORBIDDEN_LAYER, description=description, layer_type=layer_type
    )


def required(layer_type: str, description: str) -> Constraint:
    return Constraint(
        kind=ConstraintKind.REQUIRED_LAYER, description=description, layer_type=layer_type
    )


def no_pooling(reason: str = "the strides do the downsampling") -> Constraint:
    return forbidden(POOLING_TYPES, f"No pooling layers: {reason}.")


def max_parameters(value: int) -> Constraint:
    return Constraint(
        kind=ConstraintKind.MAX_PARAMETERS,
        description=f"At most {value:,} trainable parameters in total.",
        value=value,
    )


def hidden_ranges_around(
    *,
    channels: int,
    visible_size: int,
    low: int,
    high: int,
    multiple_of: int = 1,
    gap: int | None = None,
    batch: tuple[int, int] = (1, 6),
) -> tuple[InputRange, InputRange]:
    """One range below the visible size and one above, both at least ``gap`` away from it.

    Keeping every hidden size off the visible one is what makes an answer that hard-codes the
    example's output fail: for a rule that rounds (⌈H/2⌉), ``gap`` must be wide enough that the
    rounded output moves too. H and W are drawn independently, so a model that mixes them up
    fails as well.
    """
    step = multiple_of if gap is None else gap
    below = InputRange(
        channels=channels,
        batch=batch,
        height=(low, visible_size - step),
        width=(low, visible_size - step),
        multiple_of=multiple_of,
    )
    above = InputRange(
        channels=channels,
        batch=batch,
        height=(visible_size + step, high),
        width=(visible_size + step, high),
        multiple_of=multiple_of,
    )
    return below, above


def write_prompt(
    *,
    task: str,
    visible_input: Shape,
    visible_output: Shape,
    rule: str,
    entry: str,
    constraints: Sequence[Constraint],
    notes: Sequence[str] = (),
    hidden_text: str = (
        "The hidden tests use other batch sizes and other heights and widths that follow this "
        "rule, so an answer that only fits the example fails them."
    ),
) -> str:
    """The layout every code question shares: task, example, general rule, entry, rules, notes."""
    lines = [
        task,
        "",
        f"**Example.** An input of shape {code_shape(visible_input)} must give an output of "
        f"shape {code_shape(visible_output)}.",
        "",
        f"**For every input.** {rule} {hidden_text}",
        "",
        f"**Define** {entry}.",
    ]
    if constraints:
        lines += ["", "**Rules**", ""]
        lines += [f"- {constraint.description}" for constraint in constraints]
    for note in notes:
        lines += ["", note]
    return "\n".join(lines)


class ShapeRuleTemplate(CodeQuestionTemplate):
    """A template whose prompt promises an output shape for every allowed input shape."""

    @abstractmethod
    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        """The output shape the prompt promises for ``input_shape``, by arithmetic alone."""
