"""Family 13: how many parameters a Conv2d learns and how many multiply-accumulates it does.

easy: the parameter count of a plain Conv2d (square kernel, no groups, bias on or off).
medium: the parameter count with a tuple kernel and bias toggles, or the MACs of one forward
    pass on a given input (stride and padding change the output size the MACs scale with).
hard: grouped and depthwise convolutions (parameters, or MACs for a batch), or how many parameters
    one 5×5 layer costs more than two stacked 3×3 layers with the same receptive field.

MACs count one multiply-accumulate per weight per output value; bias additions are not MACs.
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
    unique_wrong_answers,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call
from quizzes.misconceptions.parameters import mac_mistakes, parameter_mistakes
from quizzes.shapes import (
    conv2d_multiply_accumulates,
    conv2d_parameter_count,
    conv_fits,
    conv_output_size,
)

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

CODE_HEAD = "```python\nimport torch\nimport torch.nn as nn\n\n"
MAC_RULE = (
    "Count one multiply-accumulate (MAC) per weight per output value; the bias additions are "
    "not MACs."
)
COUNT_FORMAT = "a whole number, e.g. 448"


def _number(value: int) -> str:
    return f"{value:,}"


def _output_line(name: str, size: int, kernel: int, stride: int, padding: int) -> str:
    """One output dimension substituted into the Conv2d formula, on one line."""
    numerator = size + 2 * padding - kernel
    return (
        f"{name}_out = ⌊({size} + 2·{padding} − {kernel}) / {stride}⌋ + 1 = "
        f"⌊{numerator}/{stride}⌋ + 1 = **{numerator // stride + 1}**"
    )


def _extra(groups: int, bias: bool) -> str:
    parts = []
    if groups != 1:
        parts.append(f"groups={groups}")
    if not bias:
        parts.append("bias=False")
    return ", ".join(parts)


def _weight_step(in_c: int, out_c: int, kh: int, kw: int, groups: int, bias: bool) -> str:
    per_filter = in_c // groups
    weights = out_c * per_filter * kh * kw
    group_text = (
        f" (each filter sees in_channels / groups = {in_c} / {groups} = {per_filter} channels)"
        if groups != 1
        else ""
    )
    bias_text = (
        f"bias: one per output channel = {out_c} (bias=True is the default)"
        if bias
        else "bias: none (bias=False)"
    )
    return (
        f"`conv.weight` has shape (out_channels, in_channels / groups, kh, kw) = "
        f"({out_c}, {per_filter}, {kh}, {kw}){group_text}.\n\n"
        f"weights: {out_c} × {per_filter} × {kh} × {kw} = {_number(weights)}; {bias_text}."
    )


class ParametersGenerator(Generator):
    family = "parameters"
    title = "Parameters and MACs of a Conv2d"
    topic = "parameters"
    description = (
        "Count a Conv2d's learnable parameters and multiply-accumulate operations, with and "
        "without bias, with tuple kernels, groups and depthwise convolutions."
    )
    parameters = (
        ParameterSpec(
            "channels",
            "in/out channels (per group when grouped)",
            IntRange(1, 512),
            {E: IntRange(1, 64), M: IntRange(1, 128), H: IntRange(1, 32)},
        ),
        ParameterSpec(
            "kernel_size",
            "kernel size",
            IntRange(1, 11),
            {E: IntRange(1, 7), M: IntRange(1, 7), H: IntRange(1, 7)},
        ),
        ParameterSpec(
            "input_size",
            "input height/width (MAC questions)",
            IntRange(1, 512),
            {E: IntRange(8, 64), M: IntRange(8, 64), H: IntRange(8, 64)},
        ),
        ParameterSpec(
            "stride",
            "stride (MAC questions)",
            IntRange(1, 4),
            {E: IntRange(1, 2), M: IntRange(1, 2), H: IntRange(1, 2)},
        ),
        ParameterSpec(
            "groups",
            "groups (hard)",
            IntRange(2, 64),
            {E: IntRange(2, 8), M: IntRange(2, 8), H: IntRange(2, 8)},
        ),
        ParameterSpec(
            "batch_size",
            "batch size N (hard MAC questions)",
            IntRange(1, 64),
            {E: IntRange(1, 1), M: IntRange(1, 1), H: IntRange(1, 8)},
        ),
    )

    def validate_config(self, config: Mapping[str, object]) -> list[str]:
        errors = super().validate_config(config)
        if errors:
            return errors
        size = config.get("input_size")
        kernel = config.get("kernel_size")
        if isinstance(size, list | tuple) and isinstance(kernel, list | tuple):
            # A MAC question shrinks its kernel to the input when they clash; the smallest input
            # must still take the smallest kernel.
            low_kernel = kernel[0]
            if size[0] < low_kernel:
                errors.append(
                    f"input_size from {size[0]} is smaller than the smallest kernel_size "
                    f"{low_kernel}: the MAC questions could not run"
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
            return self._parameters(
                rng, seed, difficulty, ranges, grouped=False, tuple_kernel=False
            )
        if difficulty is M:
            if rng.next32() & 1:
                return self._macs(rng, seed, difficulty, ranges, grouped=False)
            return self._parameters(rng, seed, difficulty, ranges, grouped=False, tuple_kernel=True)
        roll = rng.next32() % 3
        if roll == 0:
            return self._compare(rng, seed, difficulty, ranges)
        if roll == 1:
            return self._macs(rng, seed, difficulty, ranges, grouped=True)
        return self._parameters(rng, seed, difficulty, ranges, grouped=True, tuple_kernel=False)

    # -----------------------------------------------------------------------------------------

    def _channels(
        self, rng: QuestionRandom, ranges: Mapping[str, IntRange], grouped: bool
    ) -> tuple[int, int, int, str]:
        """(in_channels, out_channels, groups, kind) with both channels divisible by groups."""
        channels = ranges["channels"]
        if not grouped:
            return channels.draw(rng), channels.draw(rng), 1, "plain"
        if rng.next32() & 1:
            # Depthwise: one group per input channel, a channel multiplier of 1 or 2.
            in_c = max(2, channels.draw(rng))
            return in_c, in_c * (1 + (rng.next32() & 1)), in_c, "depthwise"
        groups = ranges["groups"].draw(rng)
        return groups * channels.draw(rng), groups * channels.draw(rng), groups, "grouped"

    def _parameters(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
        *,
        grouped: bool,
        tuple_kernel: bool,
    ) -> Variant:
        in_c, out_c, groups, kind = self._channels(rng, ranges, grouped)
        kh = ranges["kernel_size"].draw(rng)
        kw = ranges["kernel_size"].draw(rng) if tuple_kernel and rng.next32() & 1 else kh
        bias = (rng.next32() & 3) != 0
        kernel = kh if kh == kw else (kh, kw)
        key = conv2d_parameter_count(in_c, out_c, kernel, groups, bias)
        call = conv2d_call(in_c, out_c, kernel, extra=_extra(groups, bias))
        wrong = unique_wrong_answers(key, parameter_mistakes(in_c, out_c, kh, kw, groups, bias))
        prompt = (
            "How many learnable parameters does `conv` have?\n\n"
            f"{CODE_HEAD}conv = {call}\n"
            "print(sum(p.numel() for p in conv.parameters()))  # what does this print?\n```\n"
        )
        weights = out_c * (in_c // groups) * kh * kw
        total = (
            f"{_number(weights)} + {out_c} = **{_number(key)}**"
            if bias
            else (f"**{_number(key)}**")
        )
        steps = [
            SolutionStep(
                "Step 1: Write down the weight tensor's shape",
                _weight_step(in_c, out_c, kh, kw, groups, bias),
            ),
            SolutionStep("Step 2: Add them up", f"parameters = {total}"),
            SolutionStep("Final answer", f"`conv` has **{_number(key)}** learnable parameters."),
            SolutionStep(
                "Quick check", self._parameter_check(in_c, out_c, kh, kw, groups, bias, kind)
            ),
        ]
        hints = [
            "The weight tensor of nn.Conv2d has shape (out_channels, in_channels / groups, kh, kw)."
        ]
        if bias:
            hints.append("Is there anything learnable besides the weights?")
        if groups != 1:
            hints.append("groups splits the input channels between the filters.")
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "in_channels": in_c,
                "out_channels": out_c,
                "kernel_size": [kh, kw],
                "groups": groups,
                "bias": bias,
                "kind": kind,
                "asked": "parameters",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, key, display=_number(key)),
            solution_steps=steps,
            hints=hints,
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format=COUNT_FORMAT,
        )

    def _parameter_check(
        self, in_c: int, out_c: int, kh: int, kw: int, groups: int, bias: bool, kind: str
    ) -> str:
        if kind == "plain":
            return (
                f"Each of the {out_c} filters is a {in_c}×{kh}×{kw} block of weights"
                + (" plus one bias" if bias else "")
                + f": {out_c} × "
                + (f"({in_c * kh * kw} + 1)" if bias else f"{in_c * kh * kw}")
                + " = "
                f"{_number(out_c * (in_c * kh * kw + (1 if bias else 0)))}. [OK]"
            )
        dense = conv2d_parameter_count(in_c, out_c, (kh, kw), 1, bias)
        return (
            f"Without groups the same layer would have {_number(dense)} parameters; groups="
            f"{groups} divides the weights by {groups}"
            + (" (the bias is unchanged)" if bias else "")
            + (
                ". Depthwise: every input channel gets its own filters."
                if kind == "depthwise"
                else "."
            )
            + " [OK]"
        )

    # -----------------------------------------------------------------------------------------

    def _macs(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
        *,
        grouped: bool,
    ) -> Variant:
        in_c, out_c, groups, kind = self._channels(rng, ranges, grouped)
        kernel = ranges["kernel_size"].draw(rng)
        stride = ranges["stride"].draw(rng)
        padding = rng.randint(0, kernel // 2)
        height = ranges["input_size"].draw(rng)
        width = ranges["input_size"].draw(rng)
        if not conv_fits(min(height, width), kernel, padding):
            kernel = min(height, width)
            padding = min(padding, kernel // 2)
        batch = ranges["batch_size"].draw(rng)
        bias = (rng.next32() & 3) != 0
        out_h = conv_output_size(height, kernel, stride, padding)
        out_w = conv_output_size(width, kernel, stride, padding)
        per_output = (in_c // groups) * kernel * kernel
        key = conv2d_multiply_accumulates(in_c, out_c, kernel, out_h, out_w, groups) * batch
        call = conv2d_call(in_c, out_c, kernel, stride, padding, extra=_extra(groups, bias))
        wrong = unique_wrong_answers(
            key,
            mac_mistakes(
                in_c, out_c, kernel, kernel, groups, bias, height, width, out_h, out_w, batch
            ),
        )
        whole = " for the whole batch" if batch > 1 else ""
        prompt = (
            f"How many multiply-accumulate operations (MACs) does `conv(x)` perform{whole}? "
            f"{MAC_RULE}\n\n{CODE_HEAD}conv = {call}\n"
            f"x = torch.randn({batch}, {in_c}, {height}, {width})\ny = conv(x)\n```\n"
        )
        group_text = (
            f"in_channels / groups × kh × kw = {in_c} / {groups} × {kernel} × {kernel}"
            if groups != 1
            else f"in_channels × kh × kw = {in_c} × {kernel} × {kernel}"
        )
        outputs = out_c * out_h * out_w * batch
        batch_text = f" × {batch}" if batch > 1 else ""
        steps = [
            SolutionStep(
                "Step 1: Find the output size",
                "`out = ⌊(in + 2·padding − kernel_size) / stride⌋ + 1`\n\n"
                + _output_line("H", height, kernel, stride, padding)
                + "\n\n"
                + _output_line("W", width, kernel, stride, padding),
            ),
            SolutionStep(
                "Step 2: MACs for one output value",
                f"One output value is a dot product of its filter with the window under it: "
                f"{group_text} = {_number(per_output)} MACs.",
            ),
            SolutionStep(
                "Step 3: Count the output values",
                f"out_channels × H_out × W_out{' × N' if batch > 1 else ''} = {out_c} × {out_h} "
                f"× {out_w}{batch_text} = {_number(outputs)} values, so "
                f"{_number(per_output)} × {_number(outputs)} = **{_number(key)}** MACs.",
            ),
            SolutionStep("Final answer", f"`conv(x)` performs **{_number(key)}** MACs."),
            SolutionStep(
                "Quick check",
                f"MACs = weights × output positions{' × N' if batch > 1 else ''}: "
                f"{_number(out_c * per_output)} weights × {out_h * out_w} positions"
                f"{batch_text} = {_number(key)}; in FLOPs (a multiply and an add each) that is "
                f"about {_number(2 * key)}. [OK]",
            ),
        ]
        hints = [
            "Work out H_out and W_out first: the kernel runs once per output position.",
            "How many weights does one output value use?",
        ]
        if groups != 1:
            hints.append("With groups, each output value sees only in_channels / groups channels.")
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [batch, in_c, height, width],
                "in_channels": in_c,
                "out_channels": out_c,
                "kernel_size": [kernel, kernel],
                "stride": stride,
                "padding": padding,
                "groups": groups,
                "bias": bias,
                "kind": kind,
                "asked": "macs",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, key, display=_number(key)),
            solution_steps=steps,
            hints=hints,
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format="a whole number, e.g. 86700 (commas are not needed)",
        )

    # -----------------------------------------------------------------------------------------

    def _compare(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        channels = ranges["channels"].draw(rng)
        bias = bool(rng.next32() & 1)
        big = conv2d_parameter_count(channels, channels, 5, 1, bias)
        small = conv2d_parameter_count(channels, channels, 3, 1, bias)
        key = big - 2 * small
        candidates = [("count_compared_one_layer", big - small)]
        wrong_big = dict(parameter_mistakes(channels, channels, 5, 5, 1, bias))
        wrong_small = dict(parameter_mistakes(channels, channels, 3, 3, 1, bias))
        for misconception, value in wrong_big.items():
            if misconception in wrong_small and value - 2 * wrong_small[misconception] > 0:
                candidates.append((misconception, value - 2 * wrong_small[misconception]))
        wrong = unique_wrong_answers(key, candidates)
        extra = "" if bias else ", bias=False"
        prompt = (
            "Both blocks see a 5×5 region of the input. How many **more** learnable parameters "
            "does `one_big` have than `two_small`?\n\n"
            f"{CODE_HEAD}one_big = nn.Conv2d({channels}, {channels}, kernel_size=5, padding=2"
            f"{extra})\ntwo_small = nn.Sequential(\n"
            f"    nn.Conv2d({channels}, {channels}, kernel_size=3, padding=1{extra}),\n"
            f"    nn.Conv2d({channels}, {channels}, kernel_size=3, padding=1{extra}),\n)\n```\n"
        )
        bias_big = f" + {channels}" if bias else ""
        steps = [
            SolutionStep(
                "Step 1: One 5×5 layer",
                f"{channels} × {channels} × 5 × 5{bias_big} = {_number(big)}",
            ),
            SolutionStep(
                "Step 2: Two 3×3 layers",
                f"each: {channels} × {channels} × 3 × 3{bias_big} = {_number(small)}; both: "
                f"2 × {_number(small)} = {_number(2 * small)}",
            ),
            SolutionStep(
                "Step 3: Subtract",
                f"{_number(big)} − {_number(2 * small)} = **{_number(key)}**",
            ),
            SolutionStep("Final answer", f"`one_big` has **{_number(key)}** more parameters."),
            SolutionStep(
                "Quick check",
                f"Per pair of channels the weights are 25 vs 2 × 9 = 18: the stack saves 7·C² = "
                f"{_number(7 * channels * channels)} weights"
                + (f" but has {channels} more biases" if bias else "")
                + ", and it adds a second nonlinearity. [OK]",
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "in_channels": channels,
                "out_channels": channels,
                "bias": bias,
                "big_kernel_size": 5,
                "small_kernel_size": 3,
                "small_layers": 2,
                "kind": "compare",
                "asked": "compare",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, key, display=_number(key)),
            solution_steps=steps,
            hints=[
                "Count each block on its own, then subtract.",
                "The stack has two layers, and each has its own weights"
                + (" and biases." if bias else "."),
            ],
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format=COUNT_FORMAT,
        )


GENERATOR = ParametersGenerator()
