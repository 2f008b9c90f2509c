"""Family 2: padding that keeps the size ("same" padding), and what torch's padding='same' does.

easy: the int padding that keeps the size of an odd kernel (free answer).
medium: the same with dilation, as a free answer or as "which of these layers keeps the size?".
hard: one of
  - an even kernel: how torch's padding='same' splits the odd total (free answer: before, after);
  - an even kernel with the nearest symmetric int padding: the output size (in + 1 or in − 1);
  - padding='same' with stride > 1: what happens (torch raises ValueError when building the layer).
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
from quizzes.generators.text import conv2d_call, dimension_working, shape_text
from quizzes.misconceptions import same_padding as mistakes
from quizzes.misconceptions.conv import one_dimension_mistakes
from quizzes.shapes import ceil_div, conv_output_size, same_padding_split

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

_HEADER = "```python\nimport torch\nimport torch.nn as nn\n\n"
_KEEP_RULE = (
    "At stride 1 the Conv2d formula simplifies to\n\n"
    "`out = in + 2·padding − dilation·(kernel_size − 1)`\n\n"
    "so `out = in` exactly when `2·padding = dilation·(kernel_size − 1)`."
)
_SPLIT_RULE = (
    "torch's `padding='same'` computes the total `dilation·(kernel_size − 1)` per dimension and "
    "pads `⌊total/2⌋` on the top/left and the rest, `total − ⌊total/2⌋`, on the bottom/right."
)
_STRIDED_TEXT = (
    f"It raises `ValueError: {mistakes.STRIDED_SAME_MESSAGE}` on the `nn.Conv2d(...)` line"
)
_PADDING_FORMAT = "a whole number, e.g. 2"
_SPLIT_FORMAT = "two whole numbers, before then after, e.g. (1, 2)"
_INTEGER_FORMAT = "a whole number, e.g. 31"
_CHOICE_FORMAT = "the letter of one option, e.g. B"


_WHICH_LAYER_MISTAKES = (
    mistakes.SAME_PADDING_IGNORED_DILATION,
    mistakes.SAME_PADDING_NOT_HALVED,
    mistakes.SAME_PADDING_ROUNDED_UP,
    mistakes.SAME_PADDING_NONE_NEEDED,
)


def _odd_values(values: IntRange) -> tuple[int, int] | None:
    """(first odd value, how many odd values) in the range, None if it holds no odd value."""
    first = values.low | 1
    return None if first > values.high else (first, (values.high - first) // 2 + 1)


def _even_values(values: IntRange) -> tuple[int, int] | None:
    first = values.low + (values.low & 1)
    return None if first > values.high else (first, (values.high - first) // 2 + 1)


def _draw_from(rng: QuestionRandom, values: tuple[int, int]) -> int:
    first, count = values
    return first + 2 * rng.randint(0, count - 1)


class SamePaddingGenerator(Generator):
    family = "same_padding"
    title = "Padding that keeps the size"
    topic = "same-padding"
    description = (
        "Choose the padding that keeps a feature map's size, with odd and even kernels and "
        "dilation, and predict what torch's padding='same' does (including with a stride)."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "input height/width",
            IntRange(1, 512),
            {E: IntRange(8, 64), M: IntRange(8, 128), H: IntRange(5, 64)},
        ),
        ParameterSpec(
            "kernel_size",
            "kernel size",
            IntRange(1, 15),
            {E: IntRange(2, 9), M: IntRange(2, 7), H: IntRange(2, 8)},
        ),
        ParameterSpec(
            "dilation",
            "dilation",
            IntRange(1, 6),
            {E: IntRange(1, 1), M: IntRange(2, 4), H: IntRange(1, 3)},
        ),
        ParameterSpec(
            "stride",
            "stride of the padding='same' with a stride questions",
            IntRange(1, 8),
            {E: IntRange(1, 1), M: IntRange(2, 2), H: IntRange(2, 4)},
        ),
        ParameterSpec(
            "batch_size",
            "batch size N",
            IntRange(1, 256),
            {E: IntRange(1, 16), M: IntRange(1, 32), H: IntRange(1, 64)},
        ),
        ParameterSpec(
            "channels",
            "in/out channels",
            IntRange(1, 1024),
            {E: IntRange(1, 64), M: IntRange(1, 128), H: IntRange(1, 256)},
        ),
    )

    def validate_config(self, config: Mapping[str, object]) -> list[str]:
        errors = super().validate_config(config)
        if errors:
            return errors
        kernel = config.get("kernel_size")
        dilation = config.get("dilation")
        if kernel is not None and kernel[1] < 2:
            errors.append(
                "kernel_size must reach at least 2: a 1×1 kernel keeps the size with no padding, "
                "so there is nothing to ask"
            )
        if (
            kernel is not None
            and dilation is not None
            and kernel[0] == kernel[1]
            and kernel[0] % 2 == 0
            and dilation[0] == dilation[1]
            and dilation[0] % 2 == 1
        ):
            errors.append(
                f"kernel_size {kernel[0]} with dilation {dilation[0]} has no symmetric padding "
                "that keeps the size, which easy and medium questions ask for: widen kernel_size "
                "to include an odd value or dilation to include an even one"
            )
        return errors

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        if difficulty is E:
            return self._padding_value(rng, seed, difficulty, ranges)
        if difficulty is M:
            if ranges["dilation"].high > 1 and rng.randint(0, 1):
                return self._which_layer(rng, seed, difficulty, ranges)
            return self._padding_value(rng, seed, difficulty, ranges)
        kinds = []
        has_even_kernel = _even_values(ranges["kernel_size"]) is not None
        if has_even_kernel and _odd_values(ranges["dilation"]) is not None:
            kinds += ["even_split", "even_int_padding"]
        if ranges["stride"].high > 1:
            kinds.append("strided_same")
        if not kinds:
            return self._padding_value(rng, seed, difficulty, ranges)
        kind = rng.choice(kinds)
        if kind == "strided_same":
            return self._strided_same(rng, seed, difficulty, ranges)
        if kind == "even_split":
            return self._even_split(rng, seed, difficulty, ranges)
        return self._even_int_padding(rng, seed, difficulty, ranges)

    # -----------------------------------------------------------------------------------------
    # Drawing

    def _symmetric_pair(
        self, rng: QuestionRandom, ranges: Mapping[str, IntRange]
    ) -> tuple[int, int]:
        """(kernel, dilation) whose total padding dilation·(K − 1) is even, hence splits evenly."""
        kernel_range, dilation_range = ranges["kernel_size"], ranges["dilation"]
        # A 1×1 kernel needs no padding at all: skip it unless the range holds nothing else.
        kernel_range = IntRange(min(max(2, kernel_range.low), kernel_range.high), kernel_range.high)
        kernel = kernel_range.draw(rng)
        if kernel % 2:
            return kernel, dilation_range.draw(rng)
        odd_kernels = _odd_values(kernel_range)
        even_dilations = _even_values(dilation_range)
        if even_dilations is not None and (odd_kernels is None or rng.randint(0, 1)):
            return kernel, _draw_from(rng, even_dilations)
        if odd_kernels is None:  # validate_config rules this out; stay valid regardless
            return 1, dilation_range.low
        return _draw_from(rng, odd_kernels), dilation_range.draw(rng)

    def _odd_total_pair(
        self, rng: QuestionRandom, ranges: Mapping[str, IntRange]
    ) -> tuple[int, int]:
        """(even kernel, odd dilation): the total padding is odd (callers check both exist)."""
        even_kernels = _even_values(ranges["kernel_size"])
        odd_dilations = _odd_values(ranges["dilation"])
        assert even_kernels is not None
        assert odd_dilations is not None
        return _draw_from(rng, even_kernels), _draw_from(rng, odd_dilations)

    def _tensor(
        self, rng: QuestionRandom, ranges: Mapping[str, IntRange]
    ) -> tuple[int, int, int, int]:
        """(batch, in_channels, out_channels, size)."""
        return (
            ranges["batch_size"].draw(rng),
            ranges["channels"].draw(rng),
            ranges["channels"].draw(rng),
            ranges["input_size"].draw(rng),
        )

    # -----------------------------------------------------------------------------------------
    # Question kinds

    def _padding_value(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        kernel, dilation = self._symmetric_pair(rng, ranges)
        batch, channels_in, channels_out, size = self._tensor(rng, ranges)
        padding = dilation * (kernel - 1) // 2
        call = conv2d_call(channels_in, channels_out, kernel, dilation=dilation, extra="padding=p")
        prompt = (
            "Which whole number `p` makes `y` exactly as high and wide as `x`?\n\n"
            f"{_HEADER}p = ...  # your answer\n"
            f"conv = {call}\n"
            f"x = torch.randn({batch}, {channels_in}, {size}, {size})\n"
            f"y = conv(x)  # y.shape should be ({batch}, {channels_out}, {size}, {size})\n```\n"
        )
        wrong = unique_wrong_answers(
            padding,
            [
                (m.id, m.wrong_answer(kernel, dilation))
                for m in (
                    mistakes.SAME_PADDING_NOT_HALVED,
                    mistakes.SAME_PADDING_IGNORED_DILATION,
                    mistakes.SAME_PADDING_ROUNDED_UP,
                    mistakes.SAME_PADDING_ALWAYS_ONE,
                    mistakes.SAME_PADDING_NONE_NEEDED,
                )
            ],
        )
        total = dilation * (kernel - 1)
        solve = (
            f"padding = {dilation}·({kernel} − 1)/2 = {total}/2 = **{padding}**"
            if dilation > 1
            else f"padding = ({kernel} − 1)/2 = {total}/2 = **{padding}**"
        )
        steps = [
            SolutionStep("Step 1: Write the output size at stride 1", _KEEP_RULE),
            SolutionStep(
                "Step 2: Solve for the padding",
                f"kernel_size = {kernel}"
                + (f", dilation = {dilation}" if dilation > 1 else "")
                + f": the kernel removes {total} pixel{'s' if total != 1 else ''} "
                f"in total and padding adds them back on both sides, so\n\n{solve}",
            ),
            SolutionStep("Final answer", f"`p = {padding}` keeps {size}×{size} at {size}×{size}."),
            SolutionStep(
                "Quick check",
                dimension_working("H", size, kernel, 1, padding, dilation)
                + f" = in. [OK] Here `padding='same'` pads the same {padding} on every side, "
                "and torch accepts it because the stride is 1.",
            ),
        ]
        hints = [
            "At stride 1, how many pixels shorter than the input is the output without padding?",
            "padding=p adds p pixels on each side of a dimension.",
        ]
        if dilation > 1:
            hints.append("A dilated kernel covers dilation·(kernel_size − 1) + 1 input pixels.")
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "kind": "padding_value",
                "input_shape": [batch, channels_in, size, size],
                "in_channels": channels_in,
                "out_channels": channels_out,
                "kernel_size": kernel,
                "stride": 1,
                "padding": padding,
                "dilation": dilation,
            },
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, padding, display=str(padding)),
            solution_steps=steps,
            hints=hints,
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format=_PADDING_FORMAT,
        )

    def _which_layer(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        kernel, dilation = self._symmetric_pair(rng, ranges)
        batch, channels_in, channels_out, size = self._tensor(rng, ranges)
        stride = ranges["stride"].draw(rng)
        padding = dilation * (kernel - 1) // 2
        # Options as (padding, stride, misconception); the first three distinct ones are shown.
        options: list[tuple[int | str, int, str | None]] = [(padding, 1, None)]
        if stride > 1:
            options.append(("same", stride, mistakes.SAME_WITH_STRIDE_ID))
        seen = {padding}
        for misconception in _WHICH_LAYER_MISTAKES:
            wrong_padding = misconception.wrong_answer(kernel, dilation)
            if wrong_padding is not None and wrong_padding not in seen:
                seen.add(wrong_padding)
                options.append((wrong_padding, 1, misconception.id))
                if len(options) == 4:
                    break
        # conv2d_call's wording, inlined: this loop is most of the question's cost.
        head = f"`nn.Conv2d({channels_in}, {channels_out}, kernel_size={kernel}"
        tail = f", dilation={dilation})`" if dilation != 1 else ")`"
        layers: dict[str, dict[str, int | str]] = {}
        texts = []
        for layer_padding, layer_stride, _ in options:
            if layer_stride != 1:
                text = f"{head}, stride={layer_stride}, padding={layer_padding!r}{tail}"
            elif layer_padding:
                text = f"{head}, padding={layer_padding}{tail}"
            else:
                text = head + tail
            texts.append(text)
            layers[text] = {
                "kernel_size": kernel,
                "stride": layer_stride,
                "padding": layer_padding,
                "dilation": dilation,
            }
        correct = texts[0]
        distractors = [(texts[index], options[index][2]) for index in range(1, len(options))]
        choices = build_choices(rng, correct, distractors)
        label = correct_label(choices)
        prompt = (
            f"`x` has shape `({batch}, {channels_in}, {size}, {size})`. Which layer gives "
            f"`y = layer(x)` the shape `({batch}, {channels_out}, {size}, {size})`?\n\n"
            f"{_HEADER}x = torch.randn({batch}, {channels_in}, {size}, {size})\n"
            "y = layer(x)\n```\n"
        )
        total = dilation * (kernel - 1)
        explanations = []
        for choice in choices:
            if choice.is_correct:
                continue
            spec = layers[choice.text]
            if spec["padding"] == "same":
                explanations.append(
                    f"- {choice.label}: raises `ValueError: {mistakes.STRIDED_SAME_MESSAGE}` "
                    "(a strided layer shrinks the map, so it could not keep the size anyway)."
                )
            else:
                wrong_size = conv_output_size(size, kernel, 1, int(spec["padding"]), dilation)
                explanations.append(
                    f"- {choice.label}: padding {spec['padding']} gives {wrong_size}×{wrong_size}."
                )
        steps = [
            SolutionStep("Step 1: Write the output size at stride 1", _KEEP_RULE),
            SolutionStep(
                "Step 2: Solve for the padding",
                f"kernel_size = {kernel}, dilation = {dilation}: the dilated kernel spans "
                f"{total + 1} pixels and removes {total}, so padding = {dilation}·({kernel} − 1)/2 "
                f"= **{padding}**.",
            ),
            SolutionStep("Step 3: Rule out the others", "\n".join(explanations)),
            SolutionStep("Final answer", f"Option {label}: {correct}."),
            SolutionStep(
                "Quick check",
                dimension_working("H", size, kernel, 1, padding, dilation) + " = in. [OK]",
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "kind": "which_layer",
                "input_shape": [batch, channels_in, size, size],
                "in_channels": channels_in,
                "out_channels": channels_out,
                "kernel_size": kernel,
                "stride": 1,
                "padding": padding,
                "dilation": dilation,
                "options": [{"label": choice.label, **layers[choice.text]} for choice in choices],
            },
            prompt=prompt,
            answer=Answer(AnswerKind.CHOICE, label, display=correct),
            choices=choices,
            solution_steps=steps,
            hints=[
                "Work out how many pixels the dilated kernel removes at stride 1.",
                "padding=p adds p pixels on each side; the stride matters too.",
            ],
            misconceptions=[c.misconception for c in choices if c.misconception],
            answer_format=_CHOICE_FORMAT,
        )

    def _even_split(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        kernel, dilation = self._odd_total_pair(rng, ranges)
        batch, channels_in, channels_out, size = self._tensor(rng, ranges)
        is_rows = rng.randint(0, 1) == 1
        before, after = same_padding_split(kernel, dilation)
        total = before + after
        key = (before, after)
        if is_rows:
            where, first, second, order = "rows", "above", "below", "(above, below)"
        else:
            where, first, second, order = (
                "columns",
                "to the left of",
                "to the right of",
                ("(left, right)"),
            )
        call = conv2d_call(channels_in, channels_out, kernel, 1, "same", dilation)
        prompt = (
            f"`padding='same'` keeps `y` at {size}×{size}. How many {where} of zeros does torch "
            f"add **{first}** the input, and how many **{second}** it?\n\n"
            f"{_HEADER}conv = {call}\n"
            f"x = torch.randn({batch}, {channels_in}, {size}, {size})\n"
            f"y = conv(x)  # ({batch}, {channels_out}, {size}, {size})\n```\n\n"
            f"Answer as {order}."
        )
        symmetric = mistakes.SAME_PADDING_SYMMETRIC_EVEN.id
        wrong = unique_wrong_answers(
            key,
            [
                (mistakes.SAME_PADDING_EXTRA_ON_LEFT.id, (after, before)),
                (symmetric, (before, before)),
                (symmetric, (after, after)),
                (mistakes.SAME_PADDING_NOT_HALVED.id, (total, total)),
            ],
        )
        span = "dilation·(kernel_size − 1)" if dilation > 1 else "kernel_size − 1"
        sides = ("top", "bottom") if is_rows else ("left", "right")
        steps = [
            SolutionStep(
                "Step 1: Count the padding that keeps the size",
                f"{_KEEP_RULE}\n\nHere the total is {span} = "
                + (f"{dilation}·({kernel} − 1)" if dilation > 1 else f"{kernel} − 1")
                + f" = {total}, an odd number: no int `padding=p` works, since p = {total}/2 is "
                f"not whole (padding={before} gives {size - 1}, padding={after} gives {size + 1}).",
            ),
            SolutionStep(
                "Step 2: See how torch splits an odd total",
                f"{_SPLIT_RULE}\n\n{sides[0]}: ⌊{total}/2⌋ = {before}; {sides[1]}: "
                f"{total} − {before} = {after}. On the forward pass torch also warns: "
                f"*{mistakes.EVEN_SAME_WARNING}*, because it pads a copy of the input first.",
            ),
            SolutionStep(
                "Final answer",
                f"**{shape_text(key)}**: {before} {where} {first} and {after} {second} the input.",
            ),
            SolutionStep(
                "Quick check",
                "Make the kernel pick its first tap, so the output shows where the padding "
                "went:\n\n"
                "```python\n"
                f"conv = nn.Conv2d(1, 1, kernel_size={kernel}, padding='same'"
                + (f", dilation={dilation}" if dilation > 1 else "")
                + ", bias=False)\n"
                "with torch.no_grad():\n"
                "    conv.weight.zero_()\n"
                "    conv.weight[0, 0, 0, 0] = 1\n"
                f"y = conv(torch.ones(1, 1, {total + 3}, {total + 3}))\n```\n\n"
                + _split_check(before, after),
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "kind": "even_split",
                "input_shape": [batch, channels_in, size, size],
                "in_channels": channels_in,
                "out_channels": channels_out,
                "kernel_size": kernel,
                "stride": 1,
                "padding": "same",
                "dilation": dilation,
                "asked": "rows" if is_rows else "columns",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.SHAPE, key, display=shape_text(key)),
            solution_steps=steps,
            hints=[
                "First find how many pixels of padding in total keep the size.",
                "Can that total be split equally between the two sides?",
            ],
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format=_SPLIT_FORMAT,
        )

    def _even_int_padding(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        kernel, dilation = self._odd_total_pair(rng, ranges)
        batch, channels_in, channels_out, size = self._tensor(rng, ranges)
        before, after = same_padding_split(kernel, dilation)
        total = before + after
        # The two nearest symmetric paddings: one overshoots by a pixel, the other undershoots.
        # (A 1-pixel input is too small for the undershoot: the kernel would not fit.)
        padding = after if before == 0 or size < 2 or rng.randint(0, 1) else before
        out = conv_output_size(size, kernel, 1, padding, dilation)
        call = conv2d_call(channels_in, channels_out, kernel, 1, padding, dilation)
        prompt = (
            f"A student wants `y` to stay {size}×{size} and picks `padding={padding}` for this "
            "even kernel. What is the **height** of `y`?\n\n"
            f"{_HEADER}conv = {call}\n"
            f"x = torch.randn({batch}, {channels_in}, {size}, {size})\n"
            "y = conv(x)\n```\n"
        )
        wrong = unique_wrong_answers(
            out,
            [
                (mistakes.SAME_PADDING_SYMMETRIC_EVEN.id, size),
                *one_dimension_mistakes(size, kernel, 1, padding, dilation),
            ],
        )
        direction = "one pixel too many" if out > size else "one pixel too few"
        steps = [
            SolutionStep(
                "Step 1: Use the output-size formula at stride 1",
                "`out = in + 2·padding − dilation·(kernel_size − 1)`",
            ),
            SolutionStep(
                "Step 2: Plug in the height",
                dimension_working("H", size, kernel, 1, padding, dilation),
            ),
            SolutionStep(
                "Step 3: Why no int padding keeps the size",
                f"The kernel removes dilation·(kernel_size − 1) = {total} pixels, an odd number, "
                f"while a symmetric padding adds an even number (2·{padding} = {2 * padding}): "
                f"{direction}. `padding='same'` keeps {size} by padding {before} on the top/left "
                f"and {after} on the bottom/right (the extra pixel goes last).",
            ),
            SolutionStep("Final answer", f"The height of `y` is **{out}**."),
            SolutionStep(
                "Quick check",
                f"{size} + 2·{padding} − {total} = {out}; with padding='same' instead, "
                f"{size} + {before} + {after} − {total} = {size}. [OK]",
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "kind": "even_int_padding",
                "input_shape": [batch, channels_in, size, size],
                "in_channels": channels_in,
                "out_channels": channels_out,
                "kernel_size": kernel,
                "stride": 1,
                "padding": padding,
                "dilation": dilation,
                "asked": "height",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, out, display=str(out)),
            solution_steps=steps,
            hints=[
                "Do not assume it worked: use the formula.",
                "How many pixels does the kernel remove, and how many does the padding add?",
            ],
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format=_INTEGER_FORMAT,
        )

    def _strided_same(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        kernel = ranges["kernel_size"].draw(rng)
        stride_range = ranges["stride"]
        stride = rng.randint(max(2, stride_range.low), stride_range.high)
        is_one_dimension = rng.randint(0, 2) == 0  # stride=(s, 1): strided in height only
        batch, channels_in, channels_out, height = self._tensor(rng, ranges)
        width = ranges["input_size"].draw(rng)
        stride_w = 1 if is_one_dimension else stride
        stride_argument: int | tuple[int, int] = (stride, 1) if is_one_dimension else stride
        call = conv2d_call(channels_in, channels_out, kernel, stride_argument, "same")
        prompt = (
            "What happens when this code runs?\n\n"
            f"{_HEADER}conv = {call}\n"
            f"x = torch.randn({batch}, {channels_in}, {height}, {width})\n"
            "y = conv(x)\nprint(y.shape)\n```\n"
        )

        def printed(out_height: int, out_width: int) -> str:
            return f"It prints `torch.Size([{batch}, {channels_out}, {out_height}, {out_width}])`"

        correct = _STRIDED_TEXT
        distractors = [
            (printed(height, width), mistakes.SAME_WITH_STRIDE_ID),
            (
                printed(ceil_div(height, stride), ceil_div(width, stride_w)),
                mistakes.SAME_LIKE_TENSORFLOW.id,
            ),
            (printed(height // stride, width // stride_w), "size_over_stride"),
        ]
        choices = build_choices(rng, correct, distractors)
        label = correct_label(choices)
        steps = [
            SolutionStep(
                "Step 1: Ask what 'same' would have to mean",
                f"With stride {stride} the window jumps {stride} pixels: keeping a height of "
                f"{height} would take about {height}·({stride} − 1) = {height * (stride - 1)} "
                "pixels of zero padding, so 'same' has no sensible meaning. TensorFlow's 'SAME' "
                "redefines the target as ⌈in / stride⌉; PyTorch does not.",
            ),
            SolutionStep(
                "Step 2: What torch does",
                "nn.Conv2d checks its arguments when the layer is built: any stride above 1, in "
                "any dimension"
                + (" (here `stride=(" + f"{stride}, 1)`)" if is_one_dimension else "")
                + f", with padding='same' raises\n\n`ValueError: {mistakes.STRIDED_SAME_MESSAGE}`"
                "\n\nSo the `conv = ...` line fails and `x` is never used. "
                "(The functional `F.conv2d(x, w, stride=2, padding='same')` refuses too, with a "
                "RuntimeError carrying the same message.)",
            ),
            SolutionStep("Final answer", f"Option {label}: it raises ValueError."),
            SolutionStep(
                "Quick check",
                _strided_fix(channels_in, channels_out, kernel, stride_argument, height, stride),
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "kind": "strided_same",
                "input_shape": [batch, channels_in, height, width],
                "in_channels": channels_in,
                "out_channels": channels_out,
                "kernel_size": kernel,
                "stride": [stride, 1] if is_one_dimension else stride,
                "padding": "same",
                "dilation": 1,
            },
            prompt=prompt,
            answer=Answer(
                AnswerKind.CHOICE,
                label,
                raises="ValueError",
                display=f"raises ValueError: {mistakes.STRIDED_SAME_MESSAGE}",
            ),
            choices=choices,
            solution_steps=steps,
            hints=[
                "With a stride above 1, what would 'the same size' mean for the output?",
                "nn.Conv2d checks its arguments when the layer is built.",
            ],
            misconceptions=[c.misconception for c in choices if c.misconception],
            answer_format=_CHOICE_FORMAT,
        )


def _split_check(before: int, after: int) -> str:
    """What the one-tap probe in the even-split Quick check shows."""
    first = (
        "No row or column of `y` is 0 (there is no top/left padding)"
        if before == 0
        else f"The first {before} row{'s' if before != 1 else ''} and column"
        f"{'s' if before != 1 else ''} of `y` are 0 (the first tap reads the top/left zeros)"
    )
    return (
        f"{first}; with `weight[0, 0, -1, -1] = 1` instead, the last {after} "
        f"row{'s' if after != 1 else ''} and column{'s' if after != 1 else ''} are 0. [OK]"
    )


def _strided_fix(
    channels_in: int,
    channels_out: int,
    kernel: int,
    stride_argument: int | tuple[int, int],
    height: int,
    stride: int,
) -> str:
    """The working alternative: the padding written as a number, and the height it gives."""
    padding = (kernel - 1) // 2
    fixed = conv2d_call(channels_in, channels_out, kernel, stride_argument, padding)
    if height + 2 * padding < kernel:
        return f"Even `{fixed}` fails here: the {height}-pixel input is smaller than the kernel."
    out = conv_output_size(height, kernel, stride, padding)
    return (
        f"To downsample, give the padding as a number: `{fixed}` runs and gives height "
        f"⌊({height} + 2·{padding} − {kernel}) / {stride}⌋ + 1 = {out}. [OK]"
    )


GENERATOR = SamePaddingGenerator()
