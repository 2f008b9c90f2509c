"""Write one Conv2d that maps shape A to shape B: the given kernel, the student picks the rest.

The example fixes one input size, but the hidden inputs use others, so the layer must implement
the rule (keep the size, halve it, quarter it) rather than a kernel that happens to fit 32 -> 16.
"""

from __future__ import annotations

from typing import Any

from grader.questions.base import CodeVariant
from grader.questions.common import (
    CODE_HEAD,
    MODEL_ENTRY,
    Shape,
    ShapeRuleTemplate,
    exact_count,
    hidden_ranges_around,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call

# Per scale, kernels for which padding (K - 1) // 2 gives exactly H / scale on multiples of scale.
KERNELS_BY_SCALE = {1: (3, 5, 7), 2: (3, 4, 5, 6), 4: (4, 5, 7, 8)}
VISIBLE_SIZES = (16, 20, 24, 28, 32, 36, 40, 48)


def _rule(in_channels: int, out_channels: int, scale: int) -> str:
    if scale == 1:
        return (
            f"For any input of shape (N, {in_channels}, H, W), the output has shape "
            f"(N, {out_channels}, H, W)."
        )
    return (
        f"For any input of shape (N, {in_channels}, H, W) with H and W divisible by {scale}, "
        f"the output has shape (N, {out_channels}, H/{scale}, W/{scale})."
    )


class MapShapeTemplate(ShapeRuleTemplate):
    slug = "map-shape"
    title = "One Conv2d from shape A to shape B"
    description = "Choose stride and padding for a given kernel so one Conv2d maps A to B."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        scale = params["scale"]
        return (batch, params["out_channels"], height // scale, width // scale)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        in_channels = rng.choice((1, 3, 4, 8))
        out_channels = rng.choice((8, 16, 24, 32, 64))
        scale = rng.choice((1, 2, 2, 4))
        kernel = rng.choice(KERNELS_BY_SCALE[scale])
        padding = (kernel - 1) // 2
        size = rng.choice(VISIBLE_SIZES)
        batch = rng.randint(1, 4)
        params = {
            "in_channels": in_channels,
            "out_channels": out_channels,
            "scale": scale,
            "kernel_size": kernel,
            "padding": padding,
        }
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (
            exact_count("Conv2d", 1, f"Use exactly one `nn.Conv2d`, with `kernel_size={kernel}`."),
        )
        action = "keeps the height and width" if scale == 1 else f"divides them by {scale}"
        prompt = write_prompt(
            task=(
                f"Write a single convolution layer that turns {in_channels}-channel feature maps "
                f"into {out_channels}-channel ones and {action}. The kernel size is fixed at "
                f"{kernel}: you choose the stride and the padding."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=_rule(in_channels, out_channels, scale),
            entry=MODEL_ENTRY,
            constraints=constraints,
            notes=(
                "Check your numbers with the formula "
                "`out = ⌊(in + 2·padding − kernel_size) / stride⌋ + 1` on two different sizes, "
                f"not only on {size}.",
            ),
        )
        starter = (
            CODE_HEAD
            + "\n# Choose stride and padding.\n"
            + f"model = {conv2d_call(in_channels, out_channels, kernel)}\n"
        )
        reference = (
            CODE_HEAD
            + f"\nmodel = {conv2d_call(in_channels, out_channels, kernel, scale, padding)}\n"
        )
        hints = [
            "The stride sets how many times smaller the output is; the padding makes up for the "
            "pixels the kernel loses at the borders.",
            f"Try your layer on two input sizes, for example {size} and {size + 4 * scale}: "
            "both must follow the rule.",
        ]
        if scale == 1:
            hints.append(
                f"With stride 1, padding (K − 1)/2 keeps the size for an odd K = {kernel}."
            )
        return CodeVariant(
            template=self.slug,
            seed=seed,
            title=self.title,
            prompt=prompt,
            starter_code=starter,
            reference_code=reference,
            entry="model",
            visible_input=visible_input,
            hidden_inputs=hidden_ranges_around(
                channels=in_channels, visible_size=size, low=8, high=64, multiple_of=scale
            ),
            constraints=constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=tuple(hints),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = MapShapeTemplate()
