"""Downsample by 4 in two strided convolutions, no pooling.

Each conv must halve exactly, which only works when its padding makes up for its kernel; the
hidden sizes are other multiples of 4, so a pair of kernels tuned to the example fails.
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
    no_pooling,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call

VISIBLE_SIZES = (16, 24, 32, 40, 48)


class DownsampleByFourTemplate(ShapeRuleTemplate):
    slug = "downsample-by-four"
    title = "Downsample by 4 in two layers"
    description = "Two strided Conv2d layers, no pooling, that divide H and W by exactly 4."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        return (batch, params["out_channels"], height // 4, width // 4)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        in_channels = rng.choice((1, 3))
        out_channels = rng.choice((16, 32, 48, 64))
        middle_channels = out_channels // 2
        first_kernel = rng.choice((3, 4, 5))
        second_kernel = rng.choice((3, 5))
        size = rng.choice(VISIBLE_SIZES)
        batch = rng.randint(1, 4)
        params = {
            "in_channels": in_channels,
            "middle_channels": middle_channels,
            "out_channels": out_channels,
            "kernel_sizes": [first_kernel, second_kernel],
        }
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (exact_count("Conv2d", 2), no_pooling())
        prompt = write_prompt(
            task=(
                f"Build an encoder stem that shrinks a {in_channels}-channel image 4 times in "
                f"height and in width using two strided convolutions: the first with "
                f"`kernel_size={first_kernel}`, the second with `kernel_size={second_kernel}`. "
                f"It ends with {out_channels} channels; the channel count between the two "
                f"layers is up to you (the starter uses {middle_channels})."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"For any input of shape (N, {in_channels}, H, W) with H and W divisible by 4, "
                f"the output has shape (N, {out_channels}, H/4, W/4)."
            ),
            entry=MODEL_ENTRY,
            constraints=constraints,
            notes=("A ReLU between the two convolutions is welcome; it does not change shapes.",),
        )
        starter = (
            CODE_HEAD
            + "\n# Each convolution should halve H and W. Choose strides and paddings.\n"
            + "model = nn.Sequential(\n"
            + f"    {conv2d_call(in_channels, middle_channels, first_kernel)},\n"
            + "    nn.ReLU(),\n"
            + f"    {conv2d_call(middle_channels, out_channels, second_kernel)},\n"
            + ")\n"
        )
        first = conv2d_call(in_channels, middle_channels, first_kernel, 2, (first_kernel - 1) // 2)
        second = conv2d_call(
            middle_channels, out_channels, second_kernel, 2, (second_kernel - 1) // 2
        )
        reference = (
            CODE_HEAD
            + f"\nmodel = nn.Sequential(\n    {first},\n    nn.ReLU(),\n    {second},\n)\n"
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
                channels=in_channels, visible_size=size, low=8, high=64, multiple_of=4
            ),
            constraints=constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=(
                "4 = 2 × 2: each layer halves the size, so both use stride 2.",
                "For stride 2 on an even size, out = ⌊(H + 2·padding − K) / 2⌋ + 1 must equal "
                "H/2: solve for the padding with your K.",
                f"Padding {(first_kernel - 1) // 2} works for kernel {first_kernel}; check it on "
                "two sizes.",
            ),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = DownsampleByFourTemplate()
