"""A K×K "valid" convolution on a parameter budget: depthwise-separable (or any cheaper design).

The output must shrink by K − 1 (no padding), which proves each output pixel sees a K×K window,
and the budget rules out the plain K×K convolution: it is roughly K² times too expensive. A
depthwise conv (groups = in_channels) followed by a 1×1 conv fits.
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
from quizzes.shapes import ceil_div, conv2d_parameter_count

VISIBLE_SIZES = (12, 14, 16, 20, 24, 28, 32)


class ParameterBudgetTemplate(ShapeRuleTemplate):
    slug = "parameter-budget"
    title = "A K×K convolution on a parameter budget"
    description = (
        "Depthwise-separable convolution: the shape of a K×K conv, a fraction of its weights."
    )

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        lost = params["kernel_size"] - 1
        return (batch, params["out_channels"], height - lost, width - lost)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        in_channels = rng.choice((16, 24, 32, 64))
        out_channels = rng.choice((32, 48, 64, 128))
        kernel = rng.choice((3, 3, 5))
        size = rng.choice(VISIBLE_SIZES)
        batch = rng.randint(1, 4)
        separable = conv2d_parameter_count(
            in_channels, in_channels, kernel, groups=in_channels
        ) + conv2d_parameter_count(in_channels, out_channels, 1)
        plain = conv2d_parameter_count(in_channels, out_channels, kernel)
        budget = ceil_div(separable, 100) * 100
        params = {
            "in_channels": in_channels,
            "out_channels": out_channels,
            "kernel_size": kernel,
            "max_parameters": budget,
            "plain_parameters": plain,
        }
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (exact_count("Conv2d", 2), max_parameters(budget))
        prompt = write_prompt(
            task=(
                f"A plain `{conv2d_call(in_channels, out_channels, kernel)}` does the job "
                f"below but has {plain:,} parameters. Build a module with the same input and "
                f"output shapes, where each output pixel still sees a {kernel}×{kernel} window "
                f"(no padding, so the map shrinks by {kernel - 1}), using two convolutions and "
                f"at most {budget:,} parameters."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"For any input of shape (N, {in_channels}, H, W) with H, W ≥ {kernel}, the "
                f"output has shape (N, {out_channels}, H − {kernel - 1}, W − {kernel - 1})."
            ),
            entry=MODEL_ENTRY,
            constraints=constraints,
            notes=(
                "Parameters of nn.Conv2d: out_channels · (in_channels / groups) · K · K weights, "
                "plus out_channels biases.",
            ),
        )
        starter_layer = conv2d_call(in_channels, out_channels, kernel, padding=(kernel - 1) // 2)
        starter = (
            CODE_HEAD
            + f"\n# {plain:,} parameters, and it keeps the size. Make it smaller in both senses.\n"
            + f"model = nn.Sequential(\n    {starter_layer},\n)\n"
        )
        depthwise = conv2d_call(in_channels, in_channels, kernel, extra=f"groups={in_channels}")
        pointwise = conv2d_call(in_channels, out_channels, 1)
        reference = CODE_HEAD + f"\nmodel = nn.Sequential(\n    {depthwise},\n    {pointwise},\n)\n"
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
                channels=in_channels, visible_size=size, low=kernel + 1, high=40
            ),
            constraints=constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=(
                "Split the work: one conv looks at space (K×K), the other mixes channels (1×1).",
                f"With groups={in_channels}, each of the {in_channels} filters sees one input "
                f"channel: {in_channels}·{kernel}·{kernel} weights instead of "
                f"{in_channels}·{in_channels}·{kernel}·{kernel}.",
                "Only the K×K layer shrinks the map; a 1×1 conv keeps the size.",
            ),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = ParameterBudgetTemplate()
