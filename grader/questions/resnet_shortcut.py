"""A ResNet downsampling block: the shortcut must match the main path's shape to be added.

The main path halves H and W with a stride-2 conv and changes the channels, so the identity
shortcut no longer fits. The fix is a projection (1×1 conv, stride 2) whose output size is
⌈H/2⌉ like the main path's, for odd sizes too.

This is the GPU question: it runs on a GPU worker when one is online and falls back to a CPU
worker otherwise (shapes do not depend on the device).
"""

from __future__ import annotations

from typing import Any

from grader.questions.base import CodeVariant, Device
from grader.questions.common import (
    FACTORY_ENTRY,
    GPU_NOTE,
    Shape,
    ShapeRuleTemplate,
    exact_count,
    hidden_ranges_around,
    snippet,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call
from quizzes.shapes import ceil_div

VISIBLE_SIZES = (9, 11, 12, 13, 15, 16, 17, 20, 23, 28)


def _block(in_channels: int, out_channels: int, kernel: int, *, is_fixed: bool) -> str:
    padding = (kernel - 1) // 2
    if is_fixed:
        shortcut = (
            "nn.Sequential(\n"
            f"            {conv2d_call(in_channels, out_channels, 1, 2, extra='bias=False')},\n"
            f"            nn.BatchNorm2d({out_channels}),\n"
            "        )"
        )
    else:
        shortcut = "nn.Identity()  # the main path changes the shape: match it here"
    main_first = conv2d_call(in_channels, out_channels, kernel, 2, padding, extra="bias=False")
    main_second = conv2d_call(out_channels, out_channels, kernel, 1, padding, extra="bias=False")
    return (
        "class DownBlock(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.main = nn.Sequential(\n"
        f"            {main_first},\n"
        f"            nn.BatchNorm2d({out_channels}),\n"
        "            nn.ReLU(),\n"
        f"            {main_second},\n"
        f"            nn.BatchNorm2d({out_channels}),\n"
        "        )\n"
        f"        self.shortcut = {shortcut}\n"
        "\n"
        "    def forward(self, x):\n"
        "        return torch.relu(self.main(x) + self.shortcut(x))\n"
        "\n"
        "\n"
        "def build():\n"
        "    return DownBlock()\n"
    )


class ResnetShortcutTemplate(ShapeRuleTemplate):
    slug = "resnet-shortcut"
    title = "A ResNet downsampling shortcut"
    description = "Give a stride-2 residual block a projection shortcut whose shape matches."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        return (batch, params["out_channels"], ceil_div(height, 2), ceil_div(width, 2))

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        in_channels = rng.choice((8, 16, 24, 32, 48, 64))
        out_channels = in_channels * rng.choice((2, 2, 3))
        kernel = rng.choice((3, 3, 5))
        size = rng.choice(VISIBLE_SIZES)
        batch = rng.randint(1, 4)
        params = {"in_channels": in_channels, "out_channels": out_channels, "kernel_size": kernel}
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (
            exact_count(
                "Conv2d",
                3,
                "Use exactly three `nn.Conv2d` layers: the two of the main path and one in "
                "the shortcut.",
            ),
        )
        prompt = write_prompt(
            task=(
                f"This residual block halves the height and width and goes from {in_channels} "
                f"to {out_channels} channels. Its shortcut is still the identity, so "
                "`main(x) + shortcut(x)` fails: the two sides have different shapes. Replace "
                "the shortcut with a projection whose output can be added to the main path's."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"For any input of shape (N, {in_channels}, H, W), odd sizes included, the "
                f"output has shape (N, {out_channels}, ⌈H/2⌉, ⌈W/2⌉), exactly like the main path."
            ),
            entry=FACTORY_ENTRY,
            constraints=constraints,
            notes=(GPU_NOTE,),
        )
        return CodeVariant(
            template=self.slug,
            seed=seed,
            title=self.title,
            prompt=prompt,
            starter_code=snippet(_block(in_channels, out_channels, kernel, is_fixed=False)),
            reference_code=snippet(_block(in_channels, out_channels, kernel, is_fixed=True)),
            entry="build",
            visible_input=visible_input,
            hidden_inputs=hidden_ranges_around(
                channels=in_channels, visible_size=size, low=3, high=40, gap=2
            ),
            constraints=constraints,
            device=Device.GPU,
            allow_cpu_fallback=True,
            time_limit_s=8.0,
            memory_limit_mb=768,
            hints=(
                "The shortcut must change the channels and the size the way the main path does.",
                "A 1×1 convolution changes only the channels; its stride changes the size.",
                f"Check a 1×1 kernel with stride 2 and padding 0 on an odd size: does it give "
                f"the same size as the main path's {kernel}×{kernel}, stride 2, padding "
                f"{(kernel - 1) // 2}?",
            ),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = ResnetShortcutTemplate()
