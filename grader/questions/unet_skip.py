"""One U-Net level with odd sizes: the decoder map must match the encoder map to be concatenated.

Pooling floors, so on a size that is not a multiple of the factor the upsampled decoder map
comes back smaller than the skip connection and torch.cat fails. The student pads the decoder
map (or asks ConvTranspose2d for the right output_size) so the block maps H×W to H×W for every
size.
"""

from __future__ import annotations

from typing import Any

from grader.questions.base import CodeVariant
from grader.questions.common import (
    CODE_HEAD_FUNCTIONAL,
    FACTORY_ENTRY,
    UPSAMPLING_TYPES,
    Shape,
    ShapeRuleTemplate,
    exact_count,
    forbidden,
    hidden_ranges_around,
    snippet,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call
from quizzes.generators.transposed import transposed_call

MATCH_SIZES = (
    "        # Pooling floored the size: pad the decoder map back to the skip's size.\n"
    "        rows = skip.shape[-2] - up.shape[-2]\n"
    "        cols = skip.shape[-1] - up.shape[-1]\n"
    "        up = F.pad(up, [cols // 2, cols - cols // 2, rows // 2, rows - rows // 2])\n"
)
# The starter leaves this line for the student to fix (it is the exercise, not unfinished code).
STARTER_HINT = "        # TODO: on some sizes `up` is smaller than `skip`.\n"


def _level(
    in_channels: int, channels: int, out_channels: int, factor: int, *, is_fixed: bool
) -> str:
    return (
        "class UNetLevel(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.encode = nn.Sequential(\n"
        f"            {conv2d_call(in_channels, channels, 3, padding=1)},\n"
        "            nn.ReLU(),\n"
        "        )\n"
        f"        self.down = nn.MaxPool2d({factor})\n"
        "        self.bottom = nn.Sequential(\n"
        f"            {conv2d_call(channels, 2 * channels, 3, padding=1)},\n"
        "            nn.ReLU(),\n"
        "        )\n"
        f"        self.up = {transposed_call(2 * channels, channels, factor, factor, 0)}\n"
        f"        self.decode = {conv2d_call(2 * channels, out_channels, 3, padding=1)}\n"
        "\n"
        "    def forward(self, x):\n"
        "        skip = self.encode(x)\n"
        "        up = self.up(self.bottom(self.down(skip)))\n"
        + (MATCH_SIZES if is_fixed else STARTER_HINT)
        + "        return self.decode(torch.cat([skip, up], dim=1))\n"
        "\n"
        "\n"
        "def build():\n"
        "    return UNetLevel()\n"
    )


class UnetSkipTemplate(ShapeRuleTemplate):
    slug = "unet-skip"
    title = "A U-Net skip connection with odd sizes"
    description = "Make the decoder map match the encoder map for concatenation, for any size."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        return (batch, params["out_channels"], height, width)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        factor = rng.choice((2, 2, 3))
        in_channels = rng.choice((1, 3))
        channels = rng.choice((8, 16, 32))
        out_channels = rng.choice((1, 2, 4, 5))
        size = rng.choice([size for size in range(2 * factor + 1, 34) if size % factor])
        batch = rng.randint(1, 4)
        params = {
            "factor": factor,
            "in_channels": in_channels,
            "channels": channels,
            "out_channels": out_channels,
        }
        visible_input = (batch, in_channels, size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (
            exact_count("ConvTranspose2d", 1),
            exact_count("Conv2d", 3, "Keep the three `nn.Conv2d` layers of the starter."),
            forbidden(
                UPSAMPLING_TYPES,
                "No `nn.Upsample` layers: the decoder upsamples with its ConvTranspose2d.",
            ),
        )
        prompt = write_prompt(
            task=(
                f"This is one level of a U-Net: the encoder map `skip` ({channels} channels) is "
                f"pooled {factor} times smaller, processed ({2 * channels} channels), upsampled "
                "back, and concatenated with `skip` along the channels. It works when "
                f"H and W are multiples of {factor}, but the example is {size}×{size} and "
                "`torch.cat` raises. Make the decoder map match the encoder map before the "
                "concatenation, without cropping the encoder map."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"For any input of shape (N, {in_channels}, H, W) with H, W ≥ {factor}, "
                f"multiples of {factor} or not, the output has shape (N, {out_channels}, H, W)."
            ),
            entry=FACTORY_ENTRY,
            constraints=constraints,
        )
        return CodeVariant(
            template=self.slug,
            seed=seed,
            title=self.title,
            prompt=prompt,
            starter_code=snippet(
                _level(in_channels, channels, out_channels, factor, is_fixed=False),
                CODE_HEAD_FUNCTIONAL,
            ),
            reference_code=snippet(
                _level(in_channels, channels, out_channels, factor, is_fixed=True),
                CODE_HEAD_FUNCTIONAL,
            ),
            entry="build",
            visible_input=visible_input,
            hidden_inputs=hidden_ranges_around(
                channels=in_channels, visible_size=size, low=factor, high=48
            ),
            constraints=constraints,
            time_limit_s=8.0,
            memory_limit_mb=512,
            hints=(
                f"nn.MaxPool2d({factor}) floors: {size} becomes {size // factor}, and the "
                f"transposed conv brings back {factor * (size // factor)}, not {size}.",
                "F.pad(t, [left, right, top, bottom]) adds columns and rows; the difference "
                "between the two maps tells you how many.",
                "nn.ConvTranspose2d's forward also accepts output_size=..., which picks the "
                "output_padding for you.",
            ),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = UnetSkipTemplate()
