"""Two dilated convolutions that keep the size (or halve it exactly, with a stride of 2 last).

A dilated K×K kernel spans d·(K − 1) + 1 pixels, so "same" padding is d·(K − 1)/2: the classic
mistake is padding (K − 1)/2 as if there were no dilation.
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

DILATION_PAIRS = ((1, 2), (2, 1), (2, 2), (2, 4), (4, 2), (1, 3), (3, 1), (2, 3), (3, 3))
VISIBLE_SIZES = (16, 20, 24, 28, 32, 40)


class DilatedSameTemplate(ShapeRuleTemplate):
    slug = "dilated-same"
    title = "Same padding with dilation"
    description = "Two dilated Conv2d layers that keep the size, or halve it with the last one."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        scale = 2 if params["mode"] == "halve" else 1
        return (batch, params["out_channels"], height // scale, width // scale)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        kernel = rng.choice((3, 3, 5))
        first_dilation, second_dilation = rng.choice(DILATION_PAIRS)
        mode = rng.choice(("keep", "keep", "halve"))
        last_stride = 2 if mode == "halve" else 1
        in_channels = rng.choice((1, 3, 8))
        middle_channels = rng.choice((16, 32))
        out_channels = rng.choice((16, 32, 64))
        size = rng.choice(VISIBLE_SIZES)
        batch = rng.randint(1, 4)
        params = {
            "mode": mode,
            "kernel_size": kernel,
            "dilations": [first_dilation, second_dilation],
            "in_channels": in_channels,
            "middle_channels": middle_channels,
            "out_channels": out_channels,
        }
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (exact_count("Conv2d", 2), no_pooling("dilation and stride do the work"))
        if mode == "keep":
            action = "Both keep the height and width (stride 1)."
            rule = (
                f"For any input of shape (N, {in_channels}, H, W), the output has shape "
                f"(N, {out_channels}, H, W)."
            )
        else:
            action = (
                "The first keeps the height and width; the second has stride 2 and halves them "
                "exactly."
            )
            rule = (
                f"For any input of shape (N, {in_channels}, H, W) with H and W even, the output "
                f"has shape (N, {out_channels}, H/2, W/2)."
            )
        prompt = write_prompt(
            task=(
                f"Stack two {kernel}×{kernel} convolutions, the first with `dilation="
                f"{first_dilation}` and the second with `dilation={second_dilation}`, going "
                f"from {in_channels} to {middle_channels} to {out_channels} channels. " + action
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=rule,
            entry=MODEL_ENTRY,
            constraints=constraints,
        )

        def layers(first_padding: int, second_padding: int) -> str:
            first = conv2d_call(
                in_channels, middle_channels, kernel, 1, first_padding, first_dilation
            )
            second = conv2d_call(
                middle_channels, out_channels, kernel, last_stride, second_padding, second_dilation
            )
            return f"model = nn.Sequential(\n    {first},\n    nn.ReLU(),\n    {second},\n)\n"

        starter = CODE_HEAD + "\n# Are these paddings right?\n" + layers(1, 1)
        reference = (
            CODE_HEAD
            + "\n"
            + layers(first_dilation * (kernel - 1) // 2, second_dilation * (kernel - 1) // 2)
        )
        hints = [
            "A dilated kernel skips pixels: K taps, d apart, span d·(K − 1) + 1 pixels.",
            "To keep the size at stride 1, the padding on each side is half of what the kernel "
            "loses: d·(K − 1)/2.",
        ]
        if mode == "halve":
            hints.append(
                "padding='same' raises for a strided convolution: write the number. The same "
                "padding also halves an even size exactly at stride 2."
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
                channels=in_channels,
                visible_size=size,
                low=4,
                high=48,
                multiple_of=last_stride,
            ),
            constraints=constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=tuple(hints),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = DilatedSameTemplate()
