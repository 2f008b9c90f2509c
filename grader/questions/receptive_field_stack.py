"""Build a stack of small convolutions whose receptive field is exactly R pixels.

The shapes check the padding (the stack keeps the size, or halves it once), and the Conv2d count
checks the receptive field: with every kernel K×K there is exactly one number of layers that
reaches R. The prompt gives R, never the count.
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
from quizzes.shapes import ReceptiveLayer, receptive_field

VISIBLE_SIZES = (16, 20, 24, 28, 32)
# (mode, kernel, fewest layers, most layers)
PLANS = (("same", 3, 2, 6), ("same", 5, 2, 4), ("strided", 3, 2, 5))


class ReceptiveFieldStackTemplate(ShapeRuleTemplate):
    slug = "receptive-field-stack"
    title = "Reach a receptive field"
    description = "A stack of K×K convolutions whose receptive field is exactly R pixels."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        scale = 2 if params["mode"] == "strided" else 1
        return (batch, params["out_channels"], height // scale, width // scale)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        mode, kernel, fewest, most = rng.choice(PLANS)
        layer_count = rng.randint(fewest, most)
        strides = [2 if mode == "strided" and index == 0 else 1 for index in range(layer_count)]
        field = receptive_field([ReceptiveLayer(kernel, stride) for stride in strides])
        in_channels = rng.choice((1, 3))
        middle_channels = rng.choice((8, 16, 32))
        out_channels = rng.choice((16, 32, 64))
        size = rng.choice(VISIBLE_SIZES)
        batch = rng.randint(1, 4)
        params = {
            "mode": mode,
            "kernel_size": kernel,
            "layer_count": layer_count,
            "receptive_field": field,
            "in_channels": in_channels,
            "middle_channels": middle_channels,
            "out_channels": out_channels,
        }
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (
            exact_count(
                "Conv2d",
                layer_count,
                f"The receptive field is exactly {field}×{field}: every `nn.Conv2d` has a "
                f"{kernel}×{kernel} kernel (dilation 1), and the grader counts your Conv2d "
                "layers to check it.",
            ),
            no_pooling("pooling would change the receptive field"),
        )
        if mode == "same":
            shape_task = "Every layer keeps the height and width (stride 1)."
            rule = (
                f"For any input of shape (N, {in_channels}, H, W), the output has shape "
                f"(N, {out_channels}, H, W)."
            )
        else:
            shape_task = (
                "The first layer halves the height and width (stride 2); the others keep them."
            )
            rule = (
                f"For any input of shape (N, {in_channels}, H, W) with H and W even, the output "
                f"has shape (N, {out_channels}, H/2, W/2)."
            )
        prompt = write_prompt(
            task=(
                f"Each output pixel of your network must see exactly a {field}×{field} window "
                f"of the input. Use only {kernel}×{kernel} convolutions: {in_channels} input "
                f"channels, {middle_channels} channels inside, {out_channels} at the end. "
                + shape_task
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=rule,
            entry=MODEL_ENTRY,
            constraints=constraints,
            notes=(
                "Receptive field of a stack: r = 1 + Σ (kernel_i − 1) · (product of the strides "
                "of the layers before layer i). A ReLU between the convolutions is welcome.",
            ),
        )
        layers = []
        for index, stride in enumerate(strides):
            layer_in = in_channels if index == 0 else middle_channels
            layer_out = out_channels if index == layer_count - 1 else middle_channels
            layers.append(conv2d_call(layer_in, layer_out, kernel, stride, (kernel - 1) // 2))
        body = "    nn.ReLU(),\n".join(f"    {layer},\n" for layer in layers)
        reference = CODE_HEAD + f"\nmodel = nn.Sequential(\n{body})\n"
        first_stride = 2 if mode == "strided" else 1
        starter = (
            CODE_HEAD
            + f"\n# One layer sees {kernel}×{kernel} pixels. Stack more, and mind the padding.\n"
            + "model = nn.Sequential(\n"
            + f"    {conv2d_call(in_channels, out_channels, kernel, first_stride)},\n"
            + ")\n"
        )
        hints = [
            f"Each {kernel}×{kernel} layer at stride 1 widens the field by {kernel - 1} times "
            "the product of the strides before it.",
            f"Padding {(kernel - 1) // 2} keeps the size of a {kernel}×{kernel} layer at stride "
            "1; padding does not change the receptive field.",
        ]
        if mode == "strided":
            hints.append(
                "After the stride-2 layer, every later layer widens the field twice as much."
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
                multiple_of=2 if mode == "strided" else 1,
            ),
            constraints=constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=tuple(hints),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = ReceptiveFieldStackTemplate()
