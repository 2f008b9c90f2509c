"""Keep the size through a stack of three convolutions with kernels 3, 5 and 7 (in a seeded order).

Each kernel needs its own padding, (K − 1)/2, times the dilation when one layer is dilated; the
hidden inputs have other (odd and even, non-square) sizes, so only "same" padding passes.
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
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call

VISIBLE_SIZES = (12, 15, 16, 20, 23, 28, 32)


def _layer_text(kernel: int, dilation: int) -> str:
    return f"{kernel}×{kernel}" + (f" with dilation {dilation}" if dilation > 1 else "")


class KeepSize357Template(ShapeRuleTemplate):
    slug = "keep-size-357"
    title = "Keep the size through kernels 3, 5 and 7"
    description = "A stack of three convolutions with kernels 3, 5 and 7 that keeps H and W."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        return (batch, params["channels"][-1], height, width)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        kernels = [3, 5, 7]
        rng.shuffle(kernels)
        dilations = [1, 1, 1]
        if rng.randint(0, 2) == 0:
            dilations[rng.randint(0, 2)] = 2
        channels = [
            rng.choice((1, 3, 4)),
            rng.choice((8, 16)),
            rng.choice((16, 24, 32)),
            rng.choice((32, 48, 64)),
        ]
        size = rng.choice(VISIBLE_SIZES)
        batch = rng.randint(1, 4)
        params = {"kernel_sizes": kernels, "dilations": dilations, "channels": channels}
        visible_input = (batch, channels[0], size, size)
        visible_output = self.promised_output(params, visible_input)
        constraints = (exact_count("Conv2d", 3),)
        layers = ", then ".join(
            _layer_text(kernel, dilation)
            for kernel, dilation in zip(kernels, dilations, strict=True)
        )
        prompt = write_prompt(
            task=(
                f"Stack three convolutions, {layers}, with channels "
                f"{' → '.join(str(c) for c in channels)}, so that the feature map keeps its "
                "height and width all the way through (stride 1 everywhere)."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"For any input of shape (N, {channels[0]}, H, W), odd or even, square or not, "
                f"the output has shape (N, {channels[-1]}, H, W)."
            ),
            entry=MODEL_ENTRY,
            constraints=constraints,
        )
        starter_layers = []
        reference_layers = []
        for index, (kernel, dilation) in enumerate(zip(kernels, dilations, strict=True)):
            in_channels, out_channels = channels[index], channels[index + 1]
            starter_layers.append(conv2d_call(in_channels, out_channels, kernel, dilation=dilation))
            padding = dilation * (kernel - 1) // 2
            reference_layers.append(
                conv2d_call(in_channels, out_channels, kernel, padding=padding, dilation=dilation)
            )

        def sequential(layers: list[str]) -> str:
            body = "    nn.ReLU(),\n".join(f"    {layer},\n" for layer in layers)
            return f"model = nn.Sequential(\n{body})\n"

        starter = (
            CODE_HEAD
            + "\n# Every layer shrinks the map. Fix the paddings.\n"
            + sequential(starter_layers)
        )
        reference = CODE_HEAD + "\n" + sequential(reference_layers)
        hints = [
            "A K×K kernel at stride 1 loses K − 1 pixels per dimension unless padding gives "
            "them back: padding (K − 1)/2 on each side.",
            "Each layer needs its own padding: they are different for 3, 5 and 7.",
        ]
        if max(dilations) > 1:
            hints.append("A dilated kernel spans d·(K − 1) + 1 pixels, so it needs d·(K − 1)/2.")
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
                channels=channels[0], visible_size=size, low=5, high=48
            ),
            constraints=constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=tuple(hints),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = KeepSize357Template()
