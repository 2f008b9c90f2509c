"""Family 1: the output size of nn.Conv2d, for one dimension or the whole (N, C, H, W) tensor.

easy: one dimension, square input, int arguments, no dilation.
medium: the full output tensor, int arguments, sometimes dilation.
hard: the full tensor from a non-square input with tuple kernel/stride/padding/dilation.
"""

from __future__ import annotations

from collections.abc import Mapping

from quizzes.generators.base import (
    Answer,
    AnswerKind,
    Difficulty,
    Generator,
    IntRange,
    ParameterSpec,
    SolutionStep,
    Variant,
    WrongAnswer,
    unique_wrong_answers,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call, dimension_working, formula_line, shape_text
from quizzes.misconceptions.conv import one_dimension_mistakes
from quizzes.shapes import conv_fits, conv_output_size

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD


class ConvOutputGenerator(Generator):
    family = "conv_output"
    title = "Conv2d output size"
    topic = "conv-output-size"
    description = (
        "Predict the output height, width or full (N, C, H, W) shape of nn.Conv2d from its "
        "kernel_size, stride, padding and dilation."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "input height/width",
            IntRange(1, 512),
            {E: IntRange(5, 32), M: IntRange(7, 64), H: IntRange(9, 224)},
        ),
        ParameterSpec(
            "kernel_size",
            "kernel size",
            IntRange(1, 15),
            {E: IntRange(1, 5), M: IntRange(1, 7), H: IntRange(1, 11)},
        ),
        ParameterSpec(
            "stride",
            "stride",
            IntRange(1, 8),
            {E: IntRange(1, 2), M: IntRange(1, 3), H: IntRange(1, 4)},
        ),
        ParameterSpec(
            "padding",
            "padding",
            IntRange(0, 10),
            {E: IntRange(0, 2), M: IntRange(0, 3), H: IntRange(0, 5)},
        ),
        ParameterSpec(
            "dilation",
            "dilation",
            IntRange(1, 6),
            {E: IntRange(1, 1), M: IntRange(1, 2), H: IntRange(1, 3)},
        ),
        ParameterSpec(
            "batch_size",
            "batch size N",
            IntRange(1, 256),
            {E: IntRange(1, 8), M: IntRange(1, 32), H: IntRange(1, 64)},
        ),
        ParameterSpec(
            "channels",
            "in/out channels",
            IntRange(1, 1024),
            {E: IntRange(1, 16), M: IntRange(1, 64), H: IntRange(1, 256)},
        ),
    )

    def validate_config(self, config: Mapping[str, object]) -> list[str]:
        errors = super().validate_config(config)
        if errors:
            return errors
        # The smallest input must fit the largest dilated kernel, or some seeds could not run.
        size = config.get("input_size", [1, 1])
        kernel = config.get("kernel_size", [1, 1])
        if (
            isinstance(size, list | tuple)
            and isinstance(kernel, list | tuple)
            and size[1] < kernel[0]
        ):
            errors.append(
                f"input_size up to {size[1]} is smaller than every kernel_size from "
                f"{kernel[0]}: no question in these ranges could run"
            )
        return errors

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        if difficulty is Difficulty.EASY:
            return self._one_dimension(rng, seed, difficulty, ranges)
        return self._full_shape(rng, seed, difficulty, ranges, is_tuple=difficulty is H)

    def _draw_dimension(
        self, rng: QuestionRandom, ranges: Mapping[str, IntRange], size: int | None = None
    ) -> tuple[int, int, int, int, int]:
        """(size, kernel, stride, padding, dilation) such that the kernel fits the padded input."""
        kernel_range, stride_range = ranges["kernel_size"], ranges["stride"]
        dilation_range, padding_range = ranges["dilation"], ranges["padding"]
        size_range = ranges["input_size"]
        for _ in range(50):
            kernel = kernel_range.draw(rng)
            stride = stride_range.draw(rng)
            dilation = dilation_range.draw(rng)
            # Padding beyond the kernel span only adds borders of zeros: keep it realistic.
            padding = rng.randint(
                padding_range.low,
                max(padding_range.low, min(padding_range.high, dilation * (kernel - 1))),
            )
            drawn_size = size_range.draw(rng) if size is None else size
            if conv_fits(drawn_size, kernel, padding, dilation):
                return drawn_size, kernel, stride, padding, dilation
        # Ranges too tight to find a fitting kernel: fall back to the smallest kernel.
        fallback = ranges["input_size"].high if size is None else size
        return fallback, 1, ranges["stride"].low, ranges["padding"].low, 1

    def _one_dimension(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        size, kernel, stride, padding, dilation = self._draw_dimension(rng, ranges)
        channels_in = ranges["channels"].draw(rng)
        channels_out = ranges["channels"].draw(rng)
        batch = ranges["batch_size"].draw(rng)
        out = conv_output_size(size, kernel, stride, padding, dilation)
        call = conv2d_call(channels_in, channels_out, kernel, stride, padding, dilation)
        prompt = (
            "What is the output **height** of this layer?\n\n"
            "```python\nimport torch\nimport torch.nn as nn\n\n"
            f"conv = {call}\n"
            f"x = torch.randn({batch}, {channels_in}, {size}, {size})\n"
            "y = conv(x)\n```\n"
        )
        mistakes = one_dimension_mistakes(size, kernel, stride, padding, dilation)
        wrong = unique_wrong_answers(out, mistakes)
        working = dimension_working("height", size, kernel, stride, padding, dilation)
        steps = [
            SolutionStep("Step 1: Use the Conv2d output-size formula", formula_line(dilation > 1)),
            SolutionStep("Step 2: Plug in the height", working),
            SolutionStep("Final answer", f"The output height is **{out}**."),
            SolutionStep("Quick check", _quick_check(size, kernel, stride, padding, dilation, out)),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [batch, channels_in, size, size],
                "in_channels": channels_in,
                "out_channels": channels_out,
                "kernel_size": kernel,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
                "asked": "height",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, out, display=str(out)),
            solution_steps=steps,
            hints=_hints(padding, dilation),
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format="a whole number, e.g. 14",
        )

    def _full_shape(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
        *,
        is_tuple: bool,
    ) -> Variant:
        height, k_h, s_h, p_h, d_h = self._draw_dimension(rng, ranges)
        if is_tuple:
            width, k_w, s_w, p_w, d_w = self._draw_dimension(rng, ranges)
        else:
            width, k_w, s_w, p_w, d_w = self._draw_dimension(rng, ranges, size=height)
            width = height
            k_w, s_w, p_w, d_w = k_h, s_h, p_h, d_h
        batch = ranges["batch_size"].draw(rng)
        channels_in = ranges["channels"].draw(rng)
        channels_out = ranges["channels"].draw(rng)
        out_h = conv_output_size(height, k_h, s_h, p_h, d_h)
        out_w = conv_output_size(width, k_w, s_w, p_w, d_w)
        key = (batch, channels_out, out_h, out_w)

        def arg(first: int, second: int) -> int | tuple[int, int]:
            return first if first == second else (first, second)

        kernel, stride, padding, dilation = (
            arg(k_h, k_w),
            arg(s_h, s_w),
            arg(p_h, p_w),
            arg(d_h, d_w),
        )
        call = conv2d_call(channels_in, channels_out, kernel, stride, padding, dilation)
        prompt = (
            "What is the shape of `y`?\n\n"
            "```python\nimport torch\nimport torch.nn as nn\n\n"
            f"conv = {call}\n"
            f"x = torch.randn({batch}, {channels_in}, {height}, {width})\n"
            "y = conv(x)\n```\n"
        )
        candidates: list[tuple[str, tuple[int, ...]]] = []
        height_mistakes = dict(one_dimension_mistakes(height, k_h, s_h, p_h, d_h))
        width_mistakes = dict(one_dimension_mistakes(width, k_w, s_w, p_w, d_w))
        for misconception in dict.fromkeys([*height_mistakes, *width_mistakes]):
            candidates.append(
                (
                    misconception,
                    (
                        batch,
                        channels_out,
                        height_mistakes.get(misconception, out_h),
                        width_mistakes.get(misconception, out_w),
                    ),
                )
            )
        if channels_in != channels_out:
            candidates.append(("channels_swapped", (batch, channels_in, out_h, out_w)))
        if out_h != out_w:
            candidates.append(("height_width_swapped", (batch, channels_out, out_w, out_h)))
        wrong: list[WrongAnswer] = unique_wrong_answers(key, candidates)
        key_text = shape_text(key)
        steps = [
            SolutionStep(
                "Step 1: Read the batch and channel dimensions",
                f"N = {batch} passes through unchanged. The channel dimension becomes "
                f"out_channels = {channels_out} (one output map per filter).",
            ),
            SolutionStep(
                "Step 2: Use the Conv2d output-size formula",
                formula_line(d_h > 1 or d_w > 1) + _TUPLE_NOTE
                if is_tuple
                else formula_line(d_h > 1 or d_w > 1),
            ),
            SolutionStep(
                "Step 3: Height",
                dimension_working("H", height, k_h, s_h, p_h, d_h),
            ),
            SolutionStep(
                "Step 4: Width",
                dimension_working("W", width, k_w, s_w, p_w, d_w)
                if is_tuple
                else f"The input is square and every argument is a single int, so W_out = {out_w}.",
            ),
            SolutionStep("Final answer", f"`y.shape` is **{key_text}**."),
            SolutionStep(
                "Quick check",
                f"`print(y.shape)` shows `torch.Size([{key_text[1:-1]}])`. "
                + _quick_check(height, k_h, s_h, p_h, d_h, out_h),
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [batch, channels_in, height, width],
                "in_channels": channels_in,
                "out_channels": channels_out,
                "kernel_size": list(kernel) if isinstance(kernel, tuple) else kernel,
                "stride": list(stride) if isinstance(stride, tuple) else stride,
                "padding": list(padding) if isinstance(padding, tuple) else padding,
                "dilation": list(dilation) if isinstance(dilation, tuple) else dilation,
                "asked": "shape",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.SHAPE, key, display=key_text),
            solution_steps=steps,
            hints=_hints(max(p_h, p_w), max(d_h, d_w))
            + ["The output keeps N; its channel count is the number of filters."],
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format="a shape like (1, 6, 28, 28)",
        )


_TUPLE_NOTE = (
    "\n\nA tuple argument is (height, width): the first number acts on H, the second on W."
)


def _hints(padding: int, dilation: int) -> list[str]:
    hints = ["out = floor((in + 2·padding − dilation·(kernel_size − 1) − 1) / stride) + 1"]
    if padding:
        hints.append("Padding is added on both sides of the dimension.")
    if dilation > 1:
        hints.append("A dilated kernel covers dilation·(kernel_size − 1) + 1 input pixels.")
    return hints


def _quick_check(size: int, kernel: int, stride: int, padding: int, dilation: int, out: int) -> str:
    span = dilation * (kernel - 1) + 1
    last_start = (out - 1) * stride
    return (
        f"The last window starts at padded index {last_start} and ends at {last_start + span - 1}, "
        f"inside the padded input (indices 0 to {size + 2 * padding - 1}); one more jump of "
        f"{stride} would not fit. [OK]"
    )


GENERATOR = ConvOutputGenerator()
