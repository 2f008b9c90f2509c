"""Compute the in_features of the Linear layer after a given convolution stack.

The classifier is built for one image size, so the hidden inputs keep H and W and draw other
batch sizes; the constraints (the stack's layers, one Linear, no LazyLinear or adaptive pooling)
are what stop a model that merely returns the right shape from passing.
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
    number_word,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call
from quizzes.shapes import conv_output_size

SIZES = (28, 32, 36, 48, 64)
STAGE_CHANNELS = ((8, 16, 32), (16, 32, 64), (6, 16, 32), (32, 64, 64))


def _stack(rng: QuestionRandom, in_channels: int, height: int, width: int) -> dict[str, Any]:
    """Seeded stages (conv, ReLU, optional 2×2 max-pool) and the size they leave."""
    stage_count = rng.randint(2, 3)
    channels = rng.choice(STAGE_CHANNELS)[:stage_count]
    layers: list[str] = []
    original = (height, width)
    previous = in_channels
    pools = 0
    for index in range(stage_count):
        kernel = rng.choice((3, 5))
        stride = rng.choice((1, 1, 2))
        padding = rng.choice((0, (kernel - 1) // 2))
        if min(height, width) < 8:
            # A map this small keeps its size, so no later kernel is larger than the map.
            kernel, stride, padding = 3, 1, 1
        layers += [conv2d_call(previous, channels[index], kernel, stride, padding), "nn.ReLU()"]
        height = conv_output_size(height, kernel, stride, padding)
        width = conv_output_size(width, kernel, stride, padding)
        if rng.randint(0, 1) and min(height, width) >= 4:
            layers.append("nn.MaxPool2d(2)")
            height, width, pools = height // 2, width // 2, pools + 1
        previous = channels[index]
    if (height, width) == original:
        # A stack that keeps the size would make the starter's naive in_features right.
        layers.append("nn.MaxPool2d(2)")
        height, width, pools = height // 2, width // 2, pools + 1
    return {
        "layers": layers,
        "conv_count": stage_count,
        "pool_count": pools,
        "channels": previous,
        "height": height,
        "width": width,
    }


def _model(layers: list[str], in_features: int, classes: int, comment: str = "") -> str:
    body = "".join(f"    {layer},\n" for layer in layers)
    return (
        f"model = nn.Sequential(\n{body}    nn.Flatten(),\n"
        f"    nn.Linear({in_features}, {classes}),{comment}\n)\n"
    )


class FlattenToLinearTemplate(ShapeRuleTemplate):
    slug = "flatten-to-linear"
    title = "Flatten into a Linear layer"
    description = "Compute nn.Linear's in_features after a given convolution stack."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        return (input_shape[0], params["classes"])

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        in_channels = rng.choice((1, 3))
        height = rng.choice(SIZES)
        width = height if rng.randint(0, 2) else rng.choice(SIZES)
        classes = rng.choice((2, 5, 10, 37, 100))
        stack = _stack(rng, in_channels, height, width)
        in_features = stack["channels"] * stack["height"] * stack["width"]
        naive = stack["channels"] * height * width
        batch = rng.randint(1, 4)
        params = {
            "in_channels": in_channels,
            "height": height,
            "width": width,
            "classes": classes,
            "in_features": in_features,
            "conv_count": stack["conv_count"],
            "pool_count": stack["pool_count"],
        }
        visible_input = (batch, in_channels, height, width)
        visible_output = self.promised_output(params, visible_input)
        constraints = [
            exact_count(
                "Conv2d",
                stack["conv_count"],
                f"Keep the {number_word(stack['conv_count'])} `nn.Conv2d` layers of the stack.",
            ),
            exact_count("Linear", 1),
            forbidden(
                "LazyLinear|AdaptiveAvgPool2d|AdaptiveMaxPool2d",
                "Compute in_features yourself: no `nn.LazyLinear`, no adaptive pooling.",
            ),
        ]
        if stack["pool_count"]:
            constraints.append(
                exact_count(
                    "MaxPool2d",
                    stack["pool_count"],
                    "Keep the stack's `nn.MaxPool2d` layers.",
                )
            )
        prompt = write_prompt(
            task=(
                f"The starter is a small classifier for {height}×{width} images with "
                f"{in_channels} channel{'s' if in_channels > 1 else ''} and {classes} classes. "
                f"Its `nn.Linear` guesses in_features = {stack['channels']}·{height}·{width} = "
                f"{naive}, as if the convolutions kept the image size, and crashes. Work out "
                "the shape that reaches `nn.Flatten()` and fix in_features. Leave the "
                "convolution stack as it is."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"For any input of shape (N, {in_channels}, {height}, {width}), the output has "
                f"shape (N, {classes})."
            ),
            hidden_text=(
                "The hidden tests use other batch sizes N; the image size is the one the "
                "classifier is built for."
            ),
            entry=MODEL_ENTRY,
            constraints=constraints,
        )
        starter = (
            CODE_HEAD
            + "\n"
            + _model(stack["layers"], naive, classes, "  # in_features: is this right?")
        )
        reference = CODE_HEAD + "\n" + _model(stack["layers"], in_features, classes)
        return CodeVariant(
            template=self.slug,
            seed=seed,
            title=self.title,
            prompt=prompt,
            starter_code=starter,
            reference_code=reference,
            entry="model",
            visible_input=visible_input,
            hidden_inputs=(
                InputRange(in_channels, (batch + 1, batch + 4), (height, height), (width, width)),
                InputRange(in_channels, (batch + 5, 16), (height, height), (width, width)),
            ),
            constraints=tuple(constraints),
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=(
                "Follow the size layer by layer with out = ⌊(in + 2·padding − kernel_size) / "
                "stride⌋ + 1; nn.MaxPool2d(2) halves (rounding down).",
                "nn.Flatten() keeps N and multiplies the rest: C·H·W of the last feature map.",
                "The error message names both sizes: the second matrix is in_features × "
                "out_features, the first is what actually arrived.",
            ),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = FlattenToLinearTemplate()
