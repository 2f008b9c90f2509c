"""Family 9: the output size of nn.ConvTranspose2d, and what output_padding is for.

easy: the output height of one ConvTranspose2d (int arguments, output_padding, no dilation).
medium: the full (N, C, H, W) output with dilation and output_padding, or an MCQ on which layer
    exactly doubles a feature map.
hard: does it run? (output_padding must be smaller than stride or dilation; torch raises
    otherwise, in forward), or which output_padding undoes a given Conv2d's downsampling on a
    non-square input.
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
    build_choices,
    correct_label,
    unique_wrong_answers,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import argument, conv2d_call
from quizzes.misconceptions.transposed import transposed_mistakes
from quizzes.shapes import conv_fits, conv_output_size, conv_transpose_output_size

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

FORMULA = "`out = (in − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1`"
FORMULA_STEP = (
    "For each spatial dimension (from the nn.ConvTranspose2d docs):\n\n"
    f"{FORMULA}\n\n"
    "It is the Conv2d formula run backwards: the input size is multiplied by the stride where "
    "Conv2d divides, padding trims the output where Conv2d adds to the input, and output_padding "
    "adds extra rows and columns on one side (bottom and right)."
)
FORMULA_FIRST = SolutionStep("Step 1: Use the ConvTranspose2d output-size formula", FORMULA_STEP)
FORMULA_SECOND = SolutionStep("Step 2: Use the ConvTranspose2d output-size formula", FORMULA_STEP)
DOUBLING_SECOND = SolutionStep(
    "Step 2: With stride 2 the formula is 2n plus a constant",
    "(n − 1)·2 − 2·padding + dilation·(kernel_size − 1) + output_padding + 1 = "
    "2n + (dilation·(kernel_size − 1) + output_padding − 1 − 2·padding), so a layer "
    "doubles exactly when dilation·(kernel_size − 1) + output_padding − 1 = "
    "2·padding, and torch also needs output_padding < stride or < dilation.",
)
DOUBLING_HINTS = (
    "Write the formula with stride 2: it is 2n plus something. Which options make that "
    "something 0?",
    "Check output_padding against stride and dilation too: torch refuses some.",
)
CODE_HEAD = "```python\nimport torch\nimport torch.nn as nn\n\n"
LIMIT_RULE = (
    "torch checks, when the layer runs, that output_padding is smaller than the stride **or** "
    "smaller than the dilation (either is enough); otherwise it raises a RuntimeError."
)
RAISES_TEXT = (
    "It raises a RuntimeError: output padding must be smaller than either stride or dilation"
)
HINTS_BASE = (
    "ConvTranspose2d starts from (in − 1)·stride: it spreads the input pixels stride apart.",
    "In a transposed convolution, padding removes pixels from both sides of the output.",
)
HINT_OUTPUT_PADDING = "output_padding is added once, on one side of each dimension."
HINT_DILATION = "A dilated kernel covers dilation·(kernel_size − 1) + 1 output pixels."

# Settings of ConvTranspose2d(kernel_size, stride, padding, output_padding, dilation) that turn
# n into exactly 2n for every n, and near misses with the misconception that makes each look
# right (under that mistake its formula gives 2n).
DOUBLING = ((4, 2, 1, 0, 1), (3, 2, 1, 1, 1), (2, 2, 0, 0, 1), (5, 2, 2, 1, 1), (6, 2, 2, 0, 1))
NEAR_DOUBLING = (
    ((3, 2, 1, 0, 1), "transposed_forgot_output_padding"),
    ((4, 2, 1, 1, 1), "transposed_forgot_output_padding"),
    ((4, 2, 2, 0, 1), "transposed_padding_once"),
    ((2, 2, 1, 0, 1), "transposed_size_times_stride"),
    ((4, 2, 1, 0, 2), "transposed_ignored_dilation"),
    ((2, 2, 1, 2, 1), "transposed_output_padding_limit"),
    ((4, 2, 2, 2, 1), "transposed_output_padding_limit"),
)


def transposed_call(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    stride: int,
    padding: int,
    output_padding: int | tuple[int, int] = 0,
    dilation: int = 1,
) -> str:
    """``nn.ConvTranspose2d(16, 8, kernel_size=3, stride=2, padding=1, output_padding=1)``."""
    parts = f"nn.ConvTranspose2d({in_channels}, {out_channels}, kernel_size={kernel_size}"
    if stride != 1:
        parts += f", stride={stride}"
    if padding:
        parts += f", padding={padding}"
    if output_padding:
        parts += f", output_padding={argument(output_padding)}"
    if dilation != 1:
        parts += f", dilation={dilation}"
    return parts + ")"


def transposed_working(
    name: str, size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> str:
    """One dimension substituted into the docs formula, term by term."""
    out = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    return (
        f"{name}: in = {size}, kernel_size = {kernel}, stride = {stride}, padding = {padding}, "
        f"output_padding = {output_padding}, dilation = {dilation}\n\n"
        f"{name}_out = ({size} − 1)·{stride} − 2·{padding} + {dilation}·({kernel} − 1) + "
        f"{output_padding} + 1 = {(size - 1) * stride} − {2 * padding} + "
        f"{dilation * (kernel - 1)} + {output_padding} + 1 = **{out}**"
    )


def _conv_line(name: str, size: int, kernel: int, stride: int, padding: int, dilation: int) -> str:
    """One Conv2d dimension substituted into the formula, on one line."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1
    inner = (
        f"{size} + 2·{padding} − {kernel}"
        if dilation == 1
        else f"{size} + 2·{padding} − {dilation}·({kernel} − 1) − 1"
    )
    return (
        f"{name}_out = ⌊({inner}) / {stride}⌋ + 1 = ⌊{numerator}/{stride}⌋ + 1 = "
        f"**{numerator // stride + 1}**"
    )


def limit_message(output_padding: int, stride: int, dilation: int) -> str:
    """torch's RuntimeError text for an output_padding that is too large (square arguments)."""
    return (
        "output padding must be smaller than either stride or dilation, but got "
        f"output_padding_height: {output_padding} output_padding_width: {output_padding} "
        f"stride_height: {stride} stride_width: {stride} "
        f"dilation_height: {dilation} dilation_width: {dilation}"
    )


def _quick_check(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int, out: int
) -> str:
    if output_padding < stride:
        numerator = out + 2 * padding - dilation * (kernel - 1) - 1
        return (
            f"A Conv2d with the same kernel_size, stride, padding and dilation maps {out} back to "
            f"⌊{numerator}/{stride}⌋ + 1 = {size}, the input size: the transposed layer is its "
            "shape inverse. [OK]"
        )
    return (
        f"Without output_padding the output would be {out - output_padding}; output_padding = "
        f"{output_padding} adds {output_padding} more at the bottom/right: {out}. [OK]"
    )


def _hints(output_padding: int, dilation: int) -> list[str]:
    hints = list(HINTS_BASE)
    if output_padding:
        hints.append(HINT_OUTPUT_PADDING)
    if dilation > 1:
        hints.append(HINT_DILATION)
    return hints


class TransposedGenerator(Generator):
    family = "transposed"
    title = "ConvTranspose2d output size"
    topic = "transposed-convolution"
    description = (
        "Predict what nn.ConvTranspose2d outputs from stride, padding, output_padding and "
        "dilation; pick the layer that doubles a size; know when output_padding is too large."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "input height/width",
            IntRange(1, 256),
            {E: IntRange(3, 16), M: IntRange(4, 32), H: IntRange(5, 64)},
        ),
        ParameterSpec(
            "kernel_size",
            "kernel size",
            IntRange(1, 11),
            {E: IntRange(1, 5), M: IntRange(2, 5), H: IntRange(2, 7)},
        ),
        ParameterSpec(
            "stride",
            "stride",
            IntRange(1, 6),
            {E: IntRange(1, 3), M: IntRange(1, 3), H: IntRange(1, 4)},
        ),
        ParameterSpec(
            "padding",
            "padding",
            IntRange(0, 5),
            {E: IntRange(0, 2), M: IntRange(0, 2), H: IntRange(0, 3)},
        ),
        ParameterSpec(
            "dilation",
            "dilation",
            IntRange(1, 4),
            {E: IntRange(1, 1), M: IntRange(1, 2), H: IntRange(1, 3)},
        ),
        ParameterSpec(
            "batch_size",
            "batch size N",
            IntRange(1, 64),
            {E: IntRange(1, 8), M: IntRange(1, 16), H: IntRange(1, 16)},
        ),
        ParameterSpec(
            "channels",
            "in/out channels",
            IntRange(1, 512),
            {E: IntRange(1, 64), M: IntRange(1, 128), H: IntRange(1, 256)},
        ),
    )

    def validate_config(self, config: Mapping[str, object]) -> list[str]:
        errors = super().validate_config(config)
        if errors:
            return errors
        # Padding trims 2·padding from the output; beyond half the dilated kernel span the output
        # of a 1-pixel input would drop below 1, so every draw caps padding there.
        padding = config.get("padding")
        if isinstance(padding, list | tuple):
            kernel_high = self._high(config, "kernel_size")
            dilation_high = self._high(config, "dilation")
            limit = dilation_high * (kernel_high - 1) // 2
            if padding[0] > limit:
                errors.append(
                    f"padding from {padding[0]} is more than half the largest dilated kernel "
                    f"span (dilation {dilation_high} × (kernel_size {kernel_high} − 1) = "
                    f"{2 * limit} or so): padding trims 2·padding from the output, so keep the "
                    f"lowest padding at {limit} or below"
                )
        return errors

    def _high(self, config: Mapping[str, object], name: str) -> int:
        value = config.get(name)
        if isinstance(value, list | tuple):
            return int(value[1])
        spec = next(spec for spec in self.parameters if spec.name == name)
        return max(r.high for r in spec.defaults.values())

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        if difficulty is E:
            return self._size(rng, seed, difficulty, ranges, full_shape=False)
        if difficulty is M:
            if rng.next32() & 1:
                return self._doubling(rng, seed, difficulty, ranges)
            return self._size(rng, seed, difficulty, ranges, full_shape=True)
        if rng.next32() & 1:
            return self._undo(rng, seed, difficulty, ranges)
        return self._does_it_run(rng, seed, difficulty, ranges)

    # -----------------------------------------------------------------------------------------

    def _draw_layer(
        self, rng: QuestionRandom, ranges: Mapping[str, IntRange]
    ) -> tuple[int, int, int, int]:
        """(kernel, stride, padding, dilation) with padding at most half the dilated span."""
        padding_range = ranges["padding"]
        for _ in range(20):
            kernel = ranges["kernel_size"].draw(rng)
            stride = ranges["stride"].draw(rng)
            dilation = ranges["dilation"].draw(rng)
            limit = dilation * (kernel - 1) // 2
            if padding_range.low <= limit:
                padding = rng.randint(padding_range.low, min(padding_range.high, limit))
                return kernel, stride, padding, dilation
        # validate_config guarantees the largest kernel and dilation allow the lowest padding.
        return (
            ranges["kernel_size"].high,
            ranges["stride"].low,
            padding_range.low,
            ranges["dilation"].high,
        )

    def _size(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
        *,
        full_shape: bool,
    ) -> Variant:
        kernel, stride, padding, dilation = self._draw_layer(rng, ranges)
        size = ranges["input_size"].draw(rng)
        room = max(stride, dilation) - 1
        # Half the questions use output_padding whenever the layer allows one.
        output_padding = rng.randint(1, room) if room and rng.next32() & 1 else 0
        batch = ranges["batch_size"].draw(rng)
        channels_in = ranges["channels"].draw(rng)
        channels_out = ranges["channels"].draw(rng)
        out = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
        call = transposed_call(
            channels_in, channels_out, kernel, stride, padding, output_padding, dilation
        )
        question = (
            "What is the shape of `y`?"
            if full_shape
            else ("What is the output **height** of this layer?")
        )
        prompt = (
            f"{question}\n\n{CODE_HEAD}deconv = {call}\n"
            f"x = torch.randn({batch}, {channels_in}, {size}, {size})\ny = deconv(x)\n```\n"
        )
        mistakes = transposed_mistakes(size, kernel, stride, padding, output_padding, dilation)
        working = transposed_working(
            "H" if full_shape else "height",
            size,
            kernel,
            stride,
            padding,
            output_padding,
            dilation,
        )
        check = _quick_check(size, kernel, stride, padding, output_padding, dilation, out)
        params = {
            "input_shape": [batch, channels_in, size, size],
            "in_channels": channels_in,
            "out_channels": channels_out,
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "output_padding": output_padding,
            "dilation": dilation,
            "asked": "shape" if full_shape else "height",
        }
        hints = _hints(output_padding, dilation)
        if not full_shape:
            wrong = unique_wrong_answers(out, mistakes)
            steps = [
                FORMULA_FIRST,
                SolutionStep("Step 2: Plug in the height", working),
                SolutionStep("Final answer", f"The output height is **{out}**."),
                SolutionStep("Quick check", check),
            ]
            return Variant(
                family=self.family,
                seed=seed,
                difficulty=difficulty,
                params=params,
                prompt=prompt,
                answer=Answer(AnswerKind.INTEGER, out, display=str(out)),
                solution_steps=steps,
                hints=hints,
                misconceptions=[w.misconception for w in wrong],
                wrong_answers=wrong,
                answer_format="a whole number, e.g. 14",
            )
        key = (batch, channels_out, out, out)
        key_text = f"({batch}, {channels_out}, {out}, {out})"
        candidates = [(m, (batch, channels_out, value, value)) for m, value in mistakes]
        if channels_in != channels_out:
            candidates.append(("channels_swapped", (batch, channels_in, out, out)))
        wrong = unique_wrong_answers(key, candidates)
        steps = [
            SolutionStep(
                "Step 1: Read the batch and channel dimensions",
                f"N = {batch} passes through unchanged. The channel dimension becomes "
                f"out_channels = {channels_out}, the layer's second argument.",
            ),
            FORMULA_SECOND,
            SolutionStep(
                "Step 3: Height and width",
                working + "\n\nThe input is square and every argument is a single int, so "
                f"W_out = {out} too.",
            ),
            SolutionStep("Final answer", f"`y.shape` is **{key_text}**."),
            SolutionStep(
                "Quick check",
                f"`print(y.shape)` shows `torch.Size([{batch}, {channels_out}, {out}, {out}])`. "
                + check,
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params=params,
            prompt=prompt,
            answer=Answer(AnswerKind.SHAPE, key, display=key_text),
            solution_steps=steps,
            hints=[*hints, "The output channel count is out_channels."],
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format="a shape like (1, 8, 14, 14)",
        )

    # -----------------------------------------------------------------------------------------

    def _doubling(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        size = ranges["input_size"].draw(rng)
        channels_in = ranges["channels"].draw(rng)
        channels_out = ranges["channels"].draw(rng)
        target = 2 * size
        right = rng.choice(DOUBLING)
        near = rng.sample(NEAR_DOUBLING, 3)
        texts = {}
        for setting in (right, *(setting for setting, _ in near)):
            kernel, stride, padding, output_padding, dilation = setting
            texts[setting] = (
                "`"
                + transposed_call(
                    channels_in, channels_out, kernel, stride, padding, output_padding, dilation
                )
                + "`"
            )
        choices = build_choices(rng, texts[right], [(texts[s], m) for s, m in near])
        label = correct_label(choices)
        by_text = {text: setting for setting, text in texts.items()}
        options = []
        lines = []
        for choice in choices:
            kernel, stride, padding, output_padding, dilation = by_text[choice.text]
            options.append(
                {
                    "label": choice.label,
                    "kernel_size": kernel,
                    "stride": stride,
                    "padding": padding,
                    "output_padding": output_padding,
                    "dilation": dilation,
                }
            )
            if output_padding >= stride and output_padding >= dilation:
                verdict = (
                    f"raises a RuntimeError: output_padding = {output_padding} is not smaller "
                    f"than stride {stride} or dilation {dilation}"
                )
            else:
                out = conv_transpose_output_size(
                    size, kernel, stride, padding, output_padding, dilation
                )
                verdict = f"**{out}**" + (" (exactly 2n)" if out == target else "")
            lines.append(
                f"{choice.label}: ({size} − 1)·{stride} − 2·{padding} + {dilation}·({kernel} − 1)"
                f" + {output_padding} + 1 → {verdict}"
            )
        steps = [
            FORMULA_FIRST,
            DOUBLING_SECOND,
            SolutionStep(f"Step 3: Check each option with n = {size}", "\n\n".join(lines)),
            SolutionStep("Final answer", f"Option **{label}**: {texts[right]}."),
            SolutionStep(
                "Quick check",
                f"{target} = 2 × {size}, and the same settings double any input size because "
                "the constant term is 0. [OK]",
            ),
        ]
        prompt = (
            f"You want to upsample `x` from {size}×{size} to exactly {target}×{target}. Which "
            f"layer gives `y.shape == ({1}, {channels_out}, {target}, {target})`?\n\n"
            f"{CODE_HEAD}x = torch.randn(1, {channels_in}, {size}, {size})\n"
            "y = deconv(x)  # deconv is one of the options below\n```\n"
        )
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [1, channels_in, size, size],
                "in_channels": channels_in,
                "out_channels": channels_out,
                "target": target,
                "options": options,
                "asked": "doubles",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.CHOICE, label, display=f"{label}: {texts[right]}"),
            choices=choices,
            solution_steps=steps,
            hints=list(DOUBLING_HINTS),
            misconceptions=list(dict.fromkeys(m for _, m in near)),
            answer_format="the letter of one option, e.g. B",
        )

    # -----------------------------------------------------------------------------------------

    def _does_it_run(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        kernel, stride, padding, dilation = self._draw_layer(rng, ranges)
        # Either torch raises (output_padding reaches both stride and dilation), or the stride
        # alone would forbid it but the dilation allows it.
        runs = dilation > stride and rng.next32() & 1
        if runs:
            output_padding = rng.randint(stride, dilation - 1)
        else:
            output_padding = max(stride, dilation) + (rng.next32() & 1 if stride > 1 else 0)
        size = ranges["input_size"].draw(rng)
        batch = ranges["batch_size"].draw(rng)
        channels_in = ranges["channels"].draw(rng)
        channels_out = ranges["channels"].draw(rng)
        out = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
        shape_option = f"It runs: `y.shape` is ({batch}, {channels_out}, {out}, {out})"
        call = transposed_call(
            channels_in, channels_out, kernel, stride, padding, output_padding, dilation
        )
        message = limit_message(output_padding, stride, dilation)
        distractors: list[tuple[str, str | None]] = []
        if runs:
            correct_text = shape_option
            distractors.append((RAISES_TEXT, "transposed_output_padding_stride_only"))
        else:
            correct_text = RAISES_TEXT
            distractors.append((shape_option, "transposed_output_padding_limit"))
        for misconception, value in transposed_mistakes(
            size, kernel, stride, padding, output_padding, dilation
        ):
            distractors.append(
                (
                    f"It runs: `y.shape` is ({batch}, {channels_out}, {value}, {value})",
                    misconception,
                )
            )
        choices = build_choices(rng, correct_text, distractors)
        label = correct_label(choices)
        working = transposed_working("H", size, kernel, stride, padding, output_padding, dilation)
        rule = (
            f"output_padding = {output_padding}, stride = {stride}, dilation = {dilation}. "
            + LIMIT_RULE
        )
        if runs:
            verdict_step = SolutionStep(
                "Step 2: Check output_padding against stride and dilation",
                rule + f"\n\n{output_padding} ≥ stride {stride}, but {output_padding} < dilation "
                f"{dilation}, so the layer is allowed.",
            )
            steps = [
                SolutionStep("Step 1: Read the layer", f"`{call}` on a {size}×{size} input."),
                verdict_step,
                SolutionStep(
                    "Step 3: Use the ConvTranspose2d output-size formula",
                    FORMULA_STEP + "\n\n" + working,
                ),
                SolutionStep("Final answer", f"Option **{label}**: {shape_option}."),
                SolutionStep(
                    "Quick check",
                    f"W is computed the same way, N = {batch} is unchanged and the channels "
                    f"become out_channels = {channels_out}. [OK]",
                ),
            ]
            display = f"{label}: {shape_option}"
            raises = None
        else:
            steps = [
                SolutionStep("Step 1: Read the layer", f"`{call}` on a {size}×{size} input."),
                SolutionStep(
                    "Step 2: Check output_padding against stride and dilation",
                    rule + f"\n\n{output_padding} is not smaller than stride {stride} and not "
                    f"smaller than dilation {dilation}, so the layer is refused. The formula "
                    f"alone would give {out}, but torch never gets that far.",
                ),
                SolutionStep(
                    "Final answer",
                    f"Option **{label}**: `y = deconv(x)` raises\n\n"
                    f"`RuntimeError: {message}`\n\n(The constructor accepts the arguments; the "
                    "check happens when the layer runs.)",
                ),
                SolutionStep(
                    "Quick check",
                    "output_padding only picks among output sizes that the stride (or the "
                    "dilation) makes ambiguous, so here it may be at most max(stride, dilation) "
                    f"− 1 = {max(stride, dilation) - 1}; {output_padding} is too large. [OK]",
                ),
            ]
            display = f"{label}: RuntimeError: {message}"
            raises = "RuntimeError"
        prompt = (
            f"What happens when this code runs?\n\n{CODE_HEAD}deconv = {call}\n"
            f"x = torch.randn({batch}, {channels_in}, {size}, {size})\ny = deconv(x)\n```\n"
        )
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
                "output_padding": output_padding,
                "dilation": dilation,
                "asked": "runs",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.CHOICE, label, raises=raises, display=display),
            choices=choices,
            solution_steps=steps,
            hints=[
                "Before computing a size, check whether torch accepts output_padding here.",
                "The rule compares output_padding with two of the other arguments.",
            ],
            misconceptions=[c.misconception for c in choices if c.misconception],
            answer_format="the letter of one option, e.g. B",
        )

    # -----------------------------------------------------------------------------------------

    def _undo(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        kernel, stride, padding, dilation = self._draw_layer(rng, ranges)
        stride_range = ranges["stride"]
        if stride_range.high >= 2:
            stride = rng.randint(max(2, stride_range.low), stride_range.high)
        size_range = ranges["input_size"]
        height = width = 0
        for _ in range(6):
            height, width = size_range.draw(rng), size_range.draw(rng)
            if height != width and conv_fits(min(height, width), kernel, padding, dilation):
                break
        span = dilation * (kernel - 1) + 1
        if not conv_fits(min(height, width), kernel, padding, dilation):
            height, width = max(span, height), max(span, width)
        batch = ranges["batch_size"].draw(rng)
        channels_in = ranges["channels"].draw(rng)
        channels_mid = ranges["channels"].draw(rng)
        down_h = conv_output_size(height, kernel, stride, padding, dilation)
        down_w = conv_output_size(width, kernel, stride, padding, dilation)
        back_h = conv_transpose_output_size(down_h, kernel, stride, padding, 0, dilation)
        back_w = conv_transpose_output_size(down_w, kernel, stride, padding, 0, dilation)
        key = (height - back_h, width - back_w)
        candidates: list[tuple[str, tuple[int, int]]] = [
            ("transposed_forgot_output_padding", (0, 0)),
            ("height_width_swapped", (key[1], key[0])),
            ("transposed_output_padding_stride_minus_one", (stride - 1, stride - 1)),
        ]
        if padding and key[0] >= padding and key[1] >= padding:
            candidates.append(("transposed_padding_once", (key[0] - padding, key[1] - padding)))
        wrong = unique_wrong_answers(key, candidates)
        conv = conv2d_call(channels_in, channels_mid, kernel, stride, padding, dilation)
        up = transposed_call(channels_mid, channels_in, kernel, stride, padding, 0, dilation)
        up = up[:-1] + ", output_padding=???)"
        prompt = (
            "`up` should undo `down`'s downsampling: `y` must have the same shape as `x`. Which "
            "`output_padding` does `up` need? Give it as a pair (for height, for width).\n\n"
            f"{CODE_HEAD}down = {conv}\nup = {up}\n"
            f"x = torch.randn({batch}, {channels_in}, {height}, {width})\ny = up(down(x))\n```\n"
        )
        steps = [
            SolutionStep(
                "Step 1: Shrink with the Conv2d",
                "`out = ⌊(in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1`\n\n"
                + _conv_line("H", height, kernel, stride, padding, dilation)
                + "\n\n"
                + _conv_line("W", width, kernel, stride, padding, dilation),
            ),
            SolutionStep(
                "Step 2: Grow back with the ConvTranspose2d, output_padding = 0",
                FORMULA
                + "\n\n"
                + transposed_working("H", down_h, kernel, stride, padding, 0, dilation)
                + "\n\n"
                + transposed_working("W", down_w, kernel, stride, padding, 0, dilation),
            ),
            SolutionStep(
                "Step 3: output_padding makes up the difference",
                f"H: {height} − {back_h} = {key[0]}; W: {width} − {back_w} = {key[1]}. Both are "
                f"smaller than stride {stride}, as torch requires.",
            ),
            SolutionStep(
                "Final answer",
                f"`output_padding=({key[0]}, {key[1]})`: **({key[0]}, {key[1]})**.",
            ),
            SolutionStep(
                "Quick check",
                f"The Conv2d floors, so every input height from {back_h} to {back_h + stride - 1}"
                f" gives {down_h}: the transposed layer cannot know which one you started from, "
                f"and output_padding tells it. With it, `y.shape` is "
                f"({batch}, {channels_in}, {height}, {width}) = `x.shape`. [OK]",
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [batch, channels_in, height, width],
                "in_channels": channels_in,
                "mid_channels": channels_mid,
                "kernel_size": kernel,
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
                "asked": "undo",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.SHAPE, key, display=f"({key[0]}, {key[1]})"),
            solution_steps=steps,
            hints=[
                "Work out the size after `down`, then what `up` gives with output_padding = 0.",
                "Height and width can need different output_padding values.",
            ],
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format="a pair like (1, 0): output_padding for height, then for width",
        )


GENERATOR = TransposedGenerator()
