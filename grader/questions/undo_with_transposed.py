"""Write the ConvTranspose2d that undoes a given Conv2d's shape change (a decoder's mirror layer).

The encoder conv divides sizes that are multiples of its stride exactly; the transposed conv must
multiply any size back, which for most kernels takes output_padding as well as padding.
"""

from __future__ import annotations

from typing import Any

from grader.questions.base import CodeVariant
from grader.questions.common import (
    CODE_HEAD,
    MODEL_ENTRY,
    UPSAMPLING_TYPES,
    Shape,
    ShapeRuleTemplate,
    code_shape,
    exact_count,
    forbidden,
    hidden_ranges_around,
    write_prompt,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call
from quizzes.generators.transposed import transposed_call

# (stride, kernel): the encoder's padding (K - 1) // 2 divides multiples of the stride exactly,
# and the kernel differs from the stride so the starter (no padding) is never already right.
ENCODERS = ((2, 3), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5), (4, 7))


class UndoWithTransposedTemplate(ShapeRuleTemplate):
    slug = "undo-with-transposed"
    title = "Undo a Conv2d with a ConvTranspose2d"
    description = "A ConvTranspose2d that maps a strided Conv2d's output back to its input shape."

    def promised_output(self, params: dict[str, Any], input_shape: Shape) -> Shape:
        batch, _, height, width = input_shape
        stride = params["stride"]
        return (batch, params["image_channels"], height * stride, width * stride)

    def build(self, rng: QuestionRandom, seed: int) -> CodeVariant:
        stride, kernel = rng.choice(ENCODERS)
        padding = (kernel - 1) // 2
        output_padding = stride + 2 * padding - kernel
        image_channels = rng.choice((1, 3, 8, 16))
        feature_channels = rng.choice((16, 32, 64))
        small = rng.randint(4, 14)
        batch = rng.randint(1, 4)
        params = {
            "image_channels": image_channels,
            "feature_channels": feature_channels,
            "stride": stride,
            "kernel_size": kernel,
            "padding": padding,
            "output_padding": output_padding,
        }
        encoder = conv2d_call(image_channels, feature_channels, kernel, stride, padding)
        visible_input = (batch, feature_channels, small, small)
        visible_output = self.promised_output(params, visible_input)
        image = (batch, image_channels, small * stride, small * stride)
        constraints = (
            exact_count("ConvTranspose2d", 1),
            forbidden("Conv2d", "No `nn.Conv2d`: the transposed convolution does the work."),
            forbidden(UPSAMPLING_TYPES, "No `nn.Upsample` (or other fixed upsampling) layers."),
        )
        prompt = write_prompt(
            task=(
                f"An encoder uses `{encoder}`. On an image of shape {code_shape(image)} it "
                f"gives {code_shape(visible_input)}. Write the decoder layer that goes back: one "
                f"`nn.ConvTranspose2d` with `kernel_size={kernel}` and `stride={stride}`, like "
                "the encoder, that restores the image's channels, height and width. You choose "
                "its padding and output_padding."
            ),
            visible_input=visible_input,
            visible_output=visible_output,
            rule=(
                f"The encoder maps any H, W divisible by {stride} to H/{stride}, W/{stride}. So "
                f"for any input of shape (N, {feature_channels}, h, w), your layer's output has "
                f"shape (N, {image_channels}, {stride}·h, {stride}·w)."
            ),
            entry=MODEL_ENTRY,
            constraints=constraints,
            notes=(
                "The nn.ConvTranspose2d docs give "
                "`out = (in − 1)·stride − 2·padding + kernel_size + output_padding` "
                "(with dilation 1), and torch requires output_padding < stride.",
            ),
        )
        starter = (
            CODE_HEAD
            + "\n# Choose padding and output_padding.\n"
            + f"model = {transposed_call(feature_channels, image_channels, kernel, stride, 0)}\n"
        )
        reference_layer = transposed_call(
            feature_channels, image_channels, kernel, stride, padding, output_padding
        )
        reference = CODE_HEAD + f"\nmodel = {reference_layer}\n"
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
                channels=feature_channels, visible_size=small, low=2, high=24
            ),
            constraints=constraints,
            time_limit_s=5.0,
            memory_limit_mb=512,
            hints=(
                "Start from the encoder's padding: the transposed layer with the same padding "
                "is its shape inverse, except for one thing.",
                f"Without output_padding the output is (h − 1)·{stride} − 2·padding + {kernel}; "
                f"compare it with {stride}·h.",
                "output_padding adds the missing rows and columns on one side; it must be "
                f"smaller than the stride ({stride}).",
            ),
            params={**params, "visible_output": list(visible_output)},
        )


TEMPLATE = UndoWithTransposedTemplate()
