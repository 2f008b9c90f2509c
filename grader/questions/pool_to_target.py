"""Shrink a feature map by a factor f in two pooling layers, rounding down or up as asked.

Pooling does not touch the channels; the skill is the window/stride arithmetic and ceil_mode.
Hidden sizes are not multiples of f, so the rounding is tested, and they are chosen so that the
rounded output always differs from the example's.
"""

from __future__ import annotations

from typing import Any

from grader.questions.base import CodeVariant, InputRange
from grader.questions.common import (
    CODE_HEAD,
    MODEL_ENTRY,
    Shape,
    ShapeRuleTemplate,
    exact_count,
    forbidden,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.shapes import ceil_div

FACTORS = ((2, 2), (2, 3), (3, 2), (2, 4), (4, 2), (3, 3))
POOL_TYPES = ("MaxPool2d", "AvgPool2d")
HIGHEST = 60


def _pool(pool_type: str, window: int, *, is_ceil: bool) -> str:
    return f"nn.{pool_type}({window}" + (", ceil_mode=True)" if is_ceil else ")")


def _hidden(channels: int, factor: int, size: int, *, is_ceil: bool) -> tuple[InputRange, ...]:
    """Sizes whose rounded output is below, then above, the example's."""
    if is_ceil:
        visible_out = ceil_div(size, factor)
        below, above = factor * (visible_out - 1), factor * visible_out + 1
    else:
        visible_out = size // factor
        below, above = factor * visible_out - 1, factor * (visible_out + 1)
    return (
        InputRange(channels, (1, 6), (factor, below), (factor, below)),
        InputRange(channels, (1, 6), (above, HIGHEST), (above, HIGHEST)),
    )


class PoolToTargetTemplate(ShapeRuleTemplate):
    slug = "pool-to-target"
    title = "Pool down to a target size"
    description = "Two pooling layers that divide H and W by f, with floor or ceil rounding."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, channels, height, width = input_shape
        factor = params["factor"]
        if params["rounding"] == "ceil":
            return (batch, channels, ceil_div(height, factor), ceil_div(width, factor))
        return (batch, channels, height // factor, width // factor)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        first, second = rng.choice(FACTORS)
        factor = first * second
        pool_type = rng.choice(POOL_TYPES)
        rounding = rng.choice(("floor", "ceil"))
        is_ceil = rounding == "ceil"
        channels = rng.choice((3, 8, 16, 32))
        size = rng.choice([size for size in range(2 * factor + 1, 41) if size % factor])
        batch = rng.randint(1, 4)
        params = {
            "pool_type": pool_type,
            "factor": factor,
            "windows": [first, second],
            "rounding": rounding,
            "channels": channels,
        }
        visible_input = (batch, channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (
            exact_count(pool_type, 2),
            forbidden("Conv2d", "No `nn.Conv2d`: pooling alone does the shrinking."),
        )
        bracket = "⌈{}⌉" if is_ceil else "⌊{}⌋"
        height_out, width_out = bracket.format(f"H/{factor}"), bracket.format(f"W/{factor}")
        direction = "up" if is_ceil else "down"
        prompt = write_prompt(
            task=(
                f"Shrink a feature map {factor} times in height and width with two "
                f"`nn.{pool_type}` layers in a row (two stages of a network). When the size is "
                f"not a multiple of {factor}, round **{direction}**: "
                + (
                    "a partial window at the border still produces an output pixel."
                    if is_ceil
                    else "the leftover rows and columns at the border are dropped."
                )
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"For any input of shape (N, {channels}, H, W) with H, W ≥ {factor}, the output "
                f"has shape (N, {channels}, {height_out}, {width_out})."
            ),
            entry=MODEL_ENTRY,
            constraints=constraints,
        )
        starter = (
            CODE_HEAD
            + "\nmodel = nn.Sequential(\n"
            + f"    nn.{pool_type}(2),\n"
            + f"    # a second nn.{pool_type}\n"
            + ")\n"
        )
        reference = (
            CODE_HEAD
            + "\nmodel = nn.Sequential(\n"
            + f"    {_pool(pool_type, first, is_ceil=is_ceil)},\n"
            + f"    {_pool(pool_type, second, is_ceil=is_ceil)},\n"
            + ")\n"
        )
        hints = [
            f"A pool's stride defaults to its kernel size: nn.{pool_type}(k) divides by k.",
            f"Two layers multiply: pick two windows whose product is {factor}.",
        ]
        if is_ceil:
            hints.append("ceil_mode=True rounds the output size up instead of down.")
        return CodeVariant(
            template=self.slug,
            seed=seed,
            title=self.title,
            prompt=prompt,
            starter_code=starter,
            reference_code=reference,
            entry="model",
            visible_input=visible_input,
            hidden_inputs=_hidden(channels, factor, size, is_ceil=is_ceil),
            constraints=constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=tuple(hints),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = PoolToTargetTemplate()
