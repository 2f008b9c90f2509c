"""An Inception-style block: parallel branches concatenated along the channels.

torch.cat only works when every branch keeps H and W, so each kernel size needs its own padding,
and the pooling branch needs stride 1 and padding too. The output channel count is the sum of
the branches'.
"""

from __future__ import annotations

from typing import Any

from grader.questions.base import CodeVariant
from grader.questions.common import (
    MODEL_ENTRY,
    Shape,
    ShapeRuleTemplate,
    exact_count,
    hidden_ranges_around,
    required,
    snippet,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call

KERNEL_PAIRS = ((3, 5), (3, 7), (5, 7))
BRANCH_CHANNELS = (8, 16, 24, 32)
VISIBLE_SIZES = (8, 11, 14, 16, 19, 28, 32)


def _block(
    in_channels: int, channels: list[int], kernels: tuple[int, int], *, is_fixed: bool
) -> str:
    first, second = kernels
    pad_first = (first - 1) // 2 if is_fixed else 0
    pad_second = (second - 1) // 2 if is_fixed else 0
    pool = "nn.MaxPool2d(3, stride=1, padding=1)" if is_fixed else "nn.MaxPool2d(3, stride=1)"
    return (
        "class InceptionBlock(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        f"        self.branch1 = {conv2d_call(in_channels, channels[0], 1)}\n"
        f"        self.branch{first} = "
        f"{conv2d_call(in_channels, channels[1], first, padding=pad_first)}\n"
        f"        self.branch{second} = "
        f"{conv2d_call(in_channels, channels[2], second, padding=pad_second)}\n"
        "        self.branch_pool = nn.Sequential(\n"
        f"            {pool},\n"
        f"            {conv2d_call(in_channels, channels[3], 1)},\n"
        "        )\n"
        "\n"
        "    def forward(self, x):\n"
        "        branches = [\n"
        "            self.branch1(x),\n"
        f"            self.branch{first}(x),\n"
        f"            self.branch{second}(x),\n"
        "            self.branch_pool(x),\n"
        "        ]\n"
        "        return torch.cat(branches, dim=1)\n"
        "\n"
        "\n"
        "model = InceptionBlock()\n"
    )


class InceptionBlockTemplate(ShapeRuleTemplate):
    slug = "inception-block"
    title = "An Inception-style block"
    description = "Four parallel branches (1×1, K×K, K'×K', pool) concatenated along the channels."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        return (batch, sum(params["branch_channels"]), height, width)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        in_channels = rng.choice((3, 16, 32))
        kernels = rng.choice(KERNEL_PAIRS)
        channels = [rng.choice(BRANCH_CHANNELS) for _ in range(4)]
        size = rng.choice(VISIBLE_SIZES)
        batch = rng.randint(1, 4)
        params = {
            "in_channels": in_channels,
            "kernel_sizes": list(kernels),
            "branch_channels": channels,
        }
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        total = sum(channels)
        constraints = (
            exact_count("Conv2d", 4, "Use exactly four `nn.Conv2d` layers, one per branch."),
            required("MaxPool2d", "The pooling branch uses an `nn.MaxPool2d`."),
        )
        first, second = kernels
        prompt = write_prompt(
            task=(
                "Build an Inception-style block: four branches see the same input and their "
                "outputs are concatenated along the channel dimension. The branches are a 1×1 "
                f"conv ({channels[0]} channels), a {first}×{first} conv ({channels[1]}), a "
                f"{second}×{second} conv ({channels[2]}), and a 3×3 max-pool followed by a 1×1 "
                f"conv ({channels[3]}). The starter has the branches but crashes: "
                "`torch.cat` needs every branch to keep the input's height and width."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"For any input of shape (N, {in_channels}, H, W), the output has shape "
                f"(N, {total}, H, W): {' + '.join(str(c) for c in channels)} = {total} channels."
            ),
            entry=MODEL_ENTRY,
            constraints=constraints,
        )
        return CodeVariant(
            template=self.slug,
            seed=seed,
            title=self.title,
            prompt=prompt,
            starter_code=snippet(_block(in_channels, channels, kernels, is_fixed=False)),
            reference_code=snippet(_block(in_channels, channels, kernels, is_fixed=True)),
            entry="model",
            visible_input=visible_input,
            hidden_inputs=hidden_ranges_around(
                channels=in_channels, visible_size=size, low=4, high=40
            ),
            constraints=constraints,
            time_limit_s=8.0,
            memory_limit_mb=512,
            hints=(
                "A 1×1 conv keeps the size with padding 0; a K×K conv at stride 1 needs "
                "padding (K − 1)/2.",
                "The pooling branch needs padding too: a 3×3 window at stride 1 loses 2 pixels "
                "per dimension without it.",
                "The output channels add up: torch.cat(dim=1) stacks the branches' channels.",
            ),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = InceptionBlockTemplate()
