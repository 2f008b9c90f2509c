"""Fix a broken network: the starter raises a real torch error on the example input.

Five classic bugs, one per seed: a Conv2d whose in_channels does not follow the previous layer,
two branches concatenated with different sizes, a kernel larger than the map it meets, a
residual sum whose two sides differ, a BatchNorm2d sized for the wrong layer. The fixed network
must follow the stated shape rule on hidden sizes too, and keep its layers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.questions.base import CodeVariant, Constraint
from grader.questions.common import (
    MODEL_ENTRY,
    Shape,
    ShapeRuleTemplate,
    exact_count,
    hidden_ranges_around,
    no_pooling,
    snippet,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call

BUG_KINDS = ("channels", "branches", "kernel_too_big", "residual", "batchnorm")


@dataclass(frozen=True)
class Broken:
    """One broken network: its starter, its fix and the rule the fix follows."""

    starter: str
    reference: str
    in_channels: int
    out_channels: int
    scale: int  # H and W are divided by this (exactly: hidden sizes are multiples of it)
    visible_sizes: tuple[int, ...]
    low: int
    high: int
    constraints: tuple[Constraint, ...]
    hint: str


def _sequential(layers: list[str]) -> str:
    body = "".join(f"    {layer},\n" for layer in layers)
    return f"model = nn.Sequential(\n{body})\n"


def _channels(rng: QuestionRandom) -> Broken:
    in_channels, first, second, out = (
        rng.choice((1, 3)),
        rng.choice((16, 32)),
        rng.choice((32, 48, 64)),
        rng.choice((8, 10, 12)),
    )

    def layers(middle_in: int) -> list[str]:
        return [
            conv2d_call(in_channels, first, 3, 2, 1),
            "nn.ReLU()",
            conv2d_call(middle_in, second, 3, padding=1),
            "nn.ReLU()",
            conv2d_call(second, out, 1),
        ]

    return Broken(
        starter=_sequential(layers(in_channels)),
        reference=_sequential(layers(first)),
        in_channels=in_channels,
        out_channels=out,
        scale=2,
        visible_sizes=(16, 24, 32, 40),
        low=4,
        high=48,
        constraints=(exact_count("Conv2d", 3),),
        hint="A Conv2d's in_channels must equal the out_channels of the layer before it.",
    )


def _branches(rng: QuestionRandom) -> Broken:
    in_channels, small, large = rng.choice((3, 8, 16)), rng.choice((8, 16)), rng.choice((8, 16, 24))
    kernel = rng.choice((5, 7))

    def code(padding: int) -> str:
        return (
            "class TwoBranch(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            f"        self.small = {conv2d_call(in_channels, small, 3, padding=1)}\n"
            f"        self.large = {conv2d_call(in_channels, large, kernel, padding=padding)}\n"
            "\n"
            "    def forward(self, x):\n"
            "        return torch.cat([self.small(x), self.large(x)], dim=1)\n"
            "\n"
            "\n"
            "model = TwoBranch()\n"
        )

    return Broken(
        starter=code(1),
        reference=code((kernel - 1) // 2),
        in_channels=in_channels,
        out_channels=small + large,
        scale=1,
        visible_sizes=(12, 15, 20, 27, 32),
        low=5,
        high=48,
        constraints=(exact_count("Conv2d", 2),),
        hint="torch.cat along the channels needs both branches to have the same H and W.",
    )


def _kernel_too_big(rng: QuestionRandom) -> Broken:
    in_channels, first, second, out = (
        rng.choice((1, 3)),
        rng.choice((8, 16)),
        rng.choice((16, 32)),
        rng.choice((32, 64)),
    )
    kernel = rng.choice((5, 7))

    def layers(padding: int) -> list[str]:
        return [
            conv2d_call(in_channels, first, 3, 2, 1),
            "nn.ReLU()",
            conv2d_call(first, second, 3, 2, 1),
            "nn.ReLU()",
            conv2d_call(second, out, kernel, padding=padding),
        ]

    # The example must be small enough that the last kernel does not fit without padding.
    sizes = tuple(size for size in (8, 12, 16, 20, 24) if size // 4 < kernel)
    return Broken(
        starter=_sequential(layers(0)),
        reference=_sequential(layers((kernel - 1) // 2)),
        in_channels=in_channels,
        out_channels=out,
        scale=4,
        visible_sizes=sizes,
        low=4,
        high=64,
        constraints=(exact_count("Conv2d", 3), no_pooling("the strides already downsample")),
        hint="After two stride-2 layers the map is 4 times smaller: is it still as large as "
        f"the {kernel}×{kernel} kernel of the last layer?",
    )


def _residual(rng: QuestionRandom) -> Broken:
    in_channels, channels = rng.choice((3, 8)), rng.choice((16, 32, 64))
    kernel = rng.choice((3, 5))
    broken_layer = rng.randint(0, 1)

    def code(is_fixed: bool) -> str:
        paddings = [(kernel - 1) // 2, (kernel - 1) // 2]
        if not is_fixed:
            paddings[broken_layer] = 0
        first = conv2d_call(channels, channels, kernel, padding=paddings[0])
        second = conv2d_call(channels, channels, kernel, padding=paddings[1])
        return (
            "class ResidualBlock(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            f"        self.stem = {conv2d_call(in_channels, channels, 1)}\n"
            "        self.body = nn.Sequential(\n"
            f"            {first},\n"
            "            nn.ReLU(),\n"
            f"            {second},\n"
            "        )\n"
            "\n"
            "    def forward(self, x):\n"
            "        x = self.stem(x)\n"
            "        return x + self.body(x)\n"
            "\n"
            "\n"
            "model = ResidualBlock()\n"
        )

    return Broken(
        starter=code(False),
        reference=code(True),
        in_channels=in_channels,
        out_channels=channels,
        scale=1,
        visible_sizes=(10, 13, 16, 21, 28),
        low=5,
        high=48,
        constraints=(exact_count("Conv2d", 3),),
        hint="x + body(x) needs body(x) to have exactly the shape of x.",
    )


def _batchnorm(rng: QuestionRandom) -> Broken:
    in_channels, first, second = rng.choice((1, 3)), rng.choice((8, 16)), rng.choice((24, 32, 64))

    def layers(second_norm: int) -> list[str]:
        return [
            conv2d_call(in_channels, first, 3, padding=1),
            f"nn.BatchNorm2d({first})",
            "nn.ReLU()",
            conv2d_call(first, second, 3, 2, 1),
            f"nn.BatchNorm2d({second_norm})",
            "nn.ReLU()",
        ]

    return Broken(
        starter=_sequential(layers(first)),
        reference=_sequential(layers(second)),
        in_channels=in_channels,
        out_channels=second,
        scale=2,
        visible_sizes=(16, 24, 32, 40),
        # At least 4×4 after the stride-2 layer, so BatchNorm2d in training mode has values.
        low=8,
        high=48,
        constraints=(
            exact_count("Conv2d", 2),
            exact_count("BatchNorm2d", 2, "Keep both `nn.BatchNorm2d` layers."),
        ),
        hint="BatchNorm2d(C) normalises C channels: C must be the channel count of the layer "
        "before it.",
    )


BUILDERS: dict[str, Callable[[QuestionRandom], Broken]] = {
    "channels": _channels,
    "branches": _branches,
    "kernel_too_big": _kernel_too_big,
    "residual": _residual,
    "batchnorm": _batchnorm,
}


class FixBrokenNetworkTemplate(ShapeRuleTemplate):
    slug = "fix-broken-network"
    title = "Fix the broken network"
    description = "The starter raises a torch error on the example: find the shape bug, fix it."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        scale = params["scale"]
        return (batch, params["out_channels"], height // scale, width // scale)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        kind = rng.choice(BUG_KINDS)
        broken = BUILDERS[kind](rng)
        in_channels = broken.in_channels
        size = rng.choice(broken.visible_sizes)
        batch = rng.randint(1, 4)
        params = {
            "bug": kind,
            "in_channels": in_channels,
            "out_channels": broken.out_channels,
            "scale": broken.scale,
        }
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        if broken.scale == 1:
            rule = (
                f"For any input of shape (N, {in_channels}, H, W), the output has shape "
                f"(N, {broken.out_channels}, H, W)."
            )
        else:
            rule = (
                f"For any input of shape (N, {in_channels}, H, W) with H and W divisible by "
                f"{broken.scale}, the output has shape "
                f"(N, {broken.out_channels}, H/{broken.scale}, W/{broken.scale})."
            )
        prompt = write_prompt(
            task=(
                "This network does not run: on the example input it raises a `RuntimeError`. "
                "Press **Run** to see the message, find the layer that breaks, and fix it. "
                "Change as little as you can: the network keeps its layers."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=rule,
            entry=MODEL_ENTRY,
            constraints=broken.constraints,
        )
        return CodeVariant(
            template=self.slug,
            seed=seed,
            title=self.title,
            prompt=prompt,
            starter_code=snippet(broken.starter),
            reference_code=snippet(broken.reference),
            entry="model",
            visible_input=visible_input,
            hidden_inputs=hidden_ranges_around(
                channels=in_channels,
                visible_size=size,
                low=broken.low,
                high=broken.high,
                multiple_of=broken.scale,
            ),
            constraints=broken.constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=(
                "Read the error from the bottom: it names the layer and the two sizes that "
                "disagree.",
                broken.hint,
            ),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = FixBrokenNetworkTemplate()
