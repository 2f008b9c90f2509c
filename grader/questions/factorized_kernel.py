"""Factorize a K×K convolution into 1×K and K×1 (Inception v3), with tuple padding and strides.

Non-square kernels need non-square padding, and a tuple stride halves one dimension only. The
parameter budget is the factorized pair's own count: a square K×K kernel anywhere exceeds it
(the channel counts are drawn so that it always does), which is the point of factorizing.
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
    max_parameters,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call
from quizzes.shapes import conv2d_parameter_count

VISIBLE_SIZES = (12, 16, 20, 24, 28, 32)
MODES = ("keep", "keep", "halve_height", "halve_width")


class FactorizedKernelTemplate(ShapeRuleTemplate):
    slug = "factorized-kernel"
    title = "Factorize a K×K kernel into 1×K and K×1"
    description = "Two asymmetric convolutions (1×K, K×1) with tuple padding and stride."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        mode = params["mode"]
        height = height // 2 if mode == "halve_height" else height
        width = width // 2 if mode == "halve_width" else width
        return (batch, params["out_channels"], height, width)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        kernel = rng.choice((3, 5, 7))
        is_row_first = rng.randint(0, 1) == 1  # 1×K first, then K×1
        mode = rng.choice(MODES)
        # in·K > out and out·K > in: a square kernel in either layer costs more than the pair.
        in_channels = rng.choice((16, 32))
        middle_channels = rng.choice((16, 24, 32))
        out_channels = rng.choice((16, 24, 32))
        size = rng.choice(VISIBLE_SIZES)
        batch = rng.randint(1, 4)
        half = (kernel - 1) // 2
        row = {"kernel": (1, kernel), "padding": (0, half), "stride": (1, 2)}
        column = {"kernel": (kernel, 1), "padding": (half, 0), "stride": (2, 1)}
        strided = {"halve_height": column, "halve_width": row}.get(mode)
        order = (row, column) if is_row_first else (column, row)
        budget = conv2d_parameter_count(
            in_channels, middle_channels, order[0]["kernel"]
        ) + conv2d_parameter_count(middle_channels, out_channels, order[1]["kernel"])
        params = {
            "mode": mode,
            "kernel_size": kernel,
            "kernels": [list(order[0]["kernel"]), list(order[1]["kernel"])],
            "in_channels": in_channels,
            "middle_channels": middle_channels,
            "out_channels": out_channels,
            "max_parameters": budget,
        }
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (exact_count("Conv2d", 2), max_parameters(budget))
        first_text = (
            "1×{k} (one row, {k} columns)" if is_row_first else "{k}×1 ({k} rows, one column)"
        )
        second_text = "{k}×1" if is_row_first else "1×{k}"
        shape_action = {
            "keep": "Together they keep the height and width.",
            "halve_height": (
                f"The {kernel}×1 layer uses a tuple stride to halve the height only; the width "
                "is kept."
            ),
            "halve_width": (
                f"The 1×{kernel} layer uses a tuple stride to halve the width only; the height "
                "is kept."
            ),
        }[mode]
        rule_out = {"keep": "H, W", "halve_height": "H/2, W", "halve_width": "H, W/2"}[mode]
        condition = "" if mode == "keep" else " with H and W even"
        prompt = write_prompt(
            task=(
                f"Replace one {kernel}×{kernel} convolution by two cheaper ones that see the same "
                f"{kernel}×{kernel} window: first a {first_text.format(k=kernel)} kernel, then a "
                f"{second_text.format(k=kernel)} kernel, going from {in_channels} to "
                f"{middle_channels} to {out_channels} channels. {shape_action}"
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"For any input of shape (N, {in_channels}, H, W){condition}, the output has "
                f"shape (N, {out_channels}, {rule_out})."
            ),
            entry=MODEL_ENTRY,
            constraints=constraints,
            notes=("`kernel_size`, `stride` and `padding` all accept a (height, width) tuple.",),
        )

        def conv(index: int, *, is_fixed: bool) -> str:
            layer = order[index]
            channels_in = in_channels if index == 0 else middle_channels
            channels_out = middle_channels if index == 0 else out_channels
            stride = layer["stride"] if layer is strided and is_fixed else 1
            padding = layer["padding"] if is_fixed else 0
            return conv2d_call(channels_in, channels_out, layer["kernel"], stride, padding)

        def sequential(*, is_fixed: bool) -> str:
            first, second = conv(0, is_fixed=is_fixed), conv(1, is_fixed=is_fixed)
            return f"model = nn.Sequential(\n    {first},\n    {second},\n)\n"

        starter = CODE_HEAD + "\n# Add the paddings (and the stride, if the rule needs one).\n"
        return CodeVariant(
            template=self.slug,
            seed=seed,
            title=self.title,
            prompt=prompt,
            starter_code=starter + sequential(is_fixed=False),
            reference_code=CODE_HEAD + "\n" + sequential(is_fixed=True),
            entry="model",
            visible_input=visible_input,
            hidden_inputs=hidden_ranges_around(
                channels=in_channels,
                visible_size=size,
                low=4,
                high=48,
                multiple_of=1 if mode == "keep" else 2,
            ),
            constraints=constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=(
                f"A 1×{kernel} kernel loses {kernel - 1} columns and no rows: pad only the width.",
                "padding=(top/bottom, left/right): padding=(0, p) pads the sides only.",
                "stride=(2, 1) halves the height and keeps the width; stride=(1, 2) the opposite.",
            ),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = FactorizedKernelTemplate()
