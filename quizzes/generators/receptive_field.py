"""Family 7: the receptive field of one output pixel of a stack of Conv2d and MaxPool2d layers.

easy: two to four stride-1 3×3 convolutions (padded, with ReLUs): the field grows by 2 a layer.
medium: convolutions with strides and max-pooling, so later layers count the jump of the strides
    before them.
hard: dilated convolutions mixed with strides and pooling; or the inverse question, how many
    identical stride-1 layers a field of at least R pixels needs.

The key follows ``shapes.receptive_field``; the tests measure it with torch (the gradient of one
output pixel with respect to the input).
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
from quizzes.generators.pooling import MAX_POOL, pool_call
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call
from quizzes.misconceptions.receptive import (
    field_of,
    inverse_mistakes,
    layers_needed,
    stack_mistakes,
)

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

_PRELUDE = "```python\nimport torch.nn as nn\n\n"
_CHANNELS = (8, 16, 32, 64, 128)
# The pooling layers a stack may use: (kernel, stride or None, padding), as CNNs write them.
_POOLS = ((2, None, 0), (2, None, 0), (3, 2, 1), (3, None, 0))
_ANSWER_FORMAT = "a whole number of pixels, e.g. 7 (for a 7×7 patch)"
_RULE = (
    "Walk the stack from the input. Keep two numbers: **r**, the receptive field so far (1 pixel "
    "before any layer), and **jump**, how many input pixels apart two neighbouring pixels of the "
    "current map are (1 at the input). For each layer with kernel_size k, dilation d and stride s:"
    "\n\n`r = r + d·(k − 1)·jump`, then `jump = jump·s`.\n\n"
    "ReLU has no window and changes nothing; padding only shifts where windows sit, not how wide "
    "they are."
)


class ReceptiveFieldGenerator(Generator):
    family = "receptive_field"
    title = "Receptive field of a stack"
    topic = "receptive-field"
    description = (
        "Work out how many input pixels one output pixel of a Conv2d / MaxPool2d stack sees, "
        "with strides, pooling and dilation, and how many layers a target field needs."
    )
    parameters = (
        ParameterSpec(
            "layer_count",
            "number of Conv2d/MaxPool2d layers",
            IntRange(1, 8),
            {E: IntRange(2, 4), M: IntRange(3, 5), H: IntRange(3, 6)},
        ),
        ParameterSpec(
            "kernel_size",
            "convolution kernel size",
            IntRange(1, 11),
            {E: IntRange(3, 3), M: IntRange(3, 5), H: IntRange(3, 5)},
        ),
        ParameterSpec(
            "stride",
            "convolution stride",
            IntRange(1, 4),
            {E: IntRange(1, 1), M: IntRange(1, 2), H: IntRange(1, 2)},
        ),
        ParameterSpec(
            "dilation",
            "convolution dilation",
            IntRange(1, 4),
            {E: IntRange(1, 1), M: IntRange(1, 1), H: IntRange(1, 3)},
        ),
        ParameterSpec(
            "pool_count",
            "how many of the layers are MaxPool2d",
            IntRange(0, 4),
            {E: IntRange(0, 0), M: IntRange(1, 2), H: IntRange(0, 2)},
        ),
        ParameterSpec(
            "target",
            "receptive field to reach (inverse questions)",
            IntRange(2, 500),
            {E: IntRange(5, 21), M: IntRange(9, 41), H: IntRange(11, 49)},
        ),
    )

    def validate_config(self, config: Mapping[str, object]) -> list[str]:
        errors = super().validate_config(config)
        if errors:
            return errors
        layers = config.get("layer_count")
        pools = config.get("pool_count")
        kernel = config.get("kernel_size")
        if layers is not None and pools is not None and pools[0] >= layers[1]:
            errors.append(
                f"pool_count from {pools[0]} leaves no room for a convolution in stacks of at "
                f"most {layers[1]} layers: a stack starts with a Conv2d"
            )
        if kernel is not None and kernel[1] < 2:
            errors.append(
                "every kernel_size is 1: a 1×1 convolution never widens the receptive field, so "
                "there would be nothing to work out"
            )
        return errors

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        if difficulty is H and rng.randint(0, 2) == 0:
            return self._inverse(rng, seed, difficulty, ranges)
        return self._forward(rng, seed, difficulty, ranges)

    # -----------------------------------------------------------------------------------------

    def _forward(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        count = ranges["layer_count"].draw(rng)
        pool_range = ranges["pool_count"]
        pools = rng.randint(
            pool_range.low, max(pool_range.low, min(pool_range.high, (count - 1) // 2 + 1))
        )
        pools = min(pools, count - 1)
        # Pools go after a convolution, never two in a row: pick their slots among 1..count-1.
        pool_slots: set[int] = set()
        for slot in rng.sample(range(1, count), count - 1):
            if len(pool_slots) == pools:
                break
            if slot - 1 not in pool_slots and slot + 1 not in pool_slots:
                pool_slots.add(slot)
        stride_range, dilation_range = ranges["stride"], ranges["dilation"]
        kernel_range = ranges["kernel_size"]
        layers: list[tuple[int, int, int, bool]] = []  # (kernel, stride, dilation, is_pool)
        specs: list[dict[str, object]] = []
        code_lines: list[str] = []
        channels = rng.choice((1, 3, 3))
        strided = 0
        for index in range(count):
            if index in pool_slots:
                kernel, stride, padding = rng.choice(_POOLS)
                layers.append((kernel, kernel if stride is None else stride, 1, True))
                specs.append(
                    {"type": MAX_POOL, "kernel_size": kernel, "stride": stride, "padding": padding}
                )
                code_lines.append(pool_call(MAX_POOL, kernel, stride, padding))
                continue
            kernel = kernel_range.draw(rng)
            dilation = dilation_range.draw(rng)
            # Keep the field realistic: at most two strided convolutions in a stack.
            stride = stride_range.draw(rng) if strided < 2 else stride_range.low
            strided += stride > 1
            padding = dilation * (kernel - 1) // 2
            out_channels = _CHANNELS[min(len(_CHANNELS) - 1, index // 2 + rng.randint(0, 1))]
            layers.append((kernel, stride, dilation, False))
            specs.append(
                {
                    "type": "Conv2d",
                    "in_channels": channels,
                    "out_channels": out_channels,
                    "kernel_size": kernel,
                    "stride": stride,
                    "padding": padding,
                    "dilation": dilation,
                }
            )
            code_lines.append(
                conv2d_call(channels, out_channels, kernel, stride, padding, dilation)
            )
            code_lines.append("nn.ReLU()")
            specs.append({"type": "ReLU"})
            channels = out_channels
        if code_lines[-1] == "nn.ReLU()":
            code_lines.pop()
            specs.pop()
        field = field_of(layers)
        body = ",\n    ".join(code_lines)
        prompt = (
            "Each pixel of `net`'s output is computed from a square patch of its input. How many "
            "input pixels wide is that patch (the receptive field of one output pixel)?\n\n"
            f"{_PRELUDE}net = nn.Sequential(\n    {body},\n)\n```\n"
        )
        wrong = unique_wrong_answers(field, stack_mistakes(layers))
        table, checks = _walk(layers, code_lines)
        has_stride = any(stride > 1 for _, stride, _, _ in layers[:-1])
        has_dilation = any(dilation > 1 for _, _, dilation, _ in layers)
        steps = [
            SolutionStep("Step 1: The rule", _RULE),
            SolutionStep("Step 2: Walk the stack", table),
            SolutionStep(
                "Final answer",
                f"One output pixel sees a **{field}×{field}** patch: "
                f"the receptive field is **{field}**.",
            ),
            SolutionStep("Quick check", checks),
        ]
        hints = ["Start from one output pixel and ask which pixels of the layer below it reads."]
        if has_stride:
            hints.append("After a stride-2 layer, neighbouring pixels are 2 input pixels apart.")
        if has_dilation:
            hints.append("A dilated kernel spans dilation·(kernel_size − 1) + 1 pixels.")
        if not has_stride and not has_dilation:
            hints.append("Stacked windows overlap: how many new pixels does a second 3×3 add?")
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={"layers": specs, "asked": "receptive_field"},
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, field, display=str(field)),
            solution_steps=steps,
            hints=hints,
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format=_ANSWER_FORMAT,
        )

    def _inverse(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        kernel_range = ranges["kernel_size"]
        kernel = rng.randint(max(2, kernel_range.low), max(2, kernel_range.high))
        dilation = ranges["dilation"].draw(rng)
        span = dilation * (kernel - 1)
        target_range = ranges["target"]
        target = target_range.draw(rng)
        if target <= span + 1:  # one layer would do: ask for more than one
            target = min(target_range.high, span + 2 + rng.randint(0, span))
        count = layers_needed(target, kernel, dilation)
        channels = rng.choice((16, 32, 64))
        padding = span // 2
        call = conv2d_call(channels, channels, kernel, 1, padding, dilation)
        reached = 1 + count * span
        previous = 1 + (count - 1) * span
        prompt = (
            f"You stack copies of this layer (each followed by a ReLU):\n\n"
            f"{_PRELUDE}layer = {call}\n```\n\n"
            f"How many layers do you need, at the fewest, so that one output pixel sees at least "
            f"a {target}×{target} patch of the input (a receptive field of at least {target})?"
        )
        wrong = unique_wrong_answers(count, inverse_mistakes(target, kernel, dilation))
        grow = (
            f"dilation·(k − 1) = {dilation}·({kernel} − 1) = {span}"
            if dilation > 1
            else f"k − 1 = {kernel} − 1 = {span}"
        )
        steps = [
            SolutionStep(
                "Step 1: How much one layer adds",
                f"Every layer has stride 1, so the jump stays 1 and each layer widens the field by "
                f"{grow} pixels (padding does not matter). After n layers: "
                f"r = 1 + {span}·n.",
            ),
            SolutionStep(
                "Step 2: Solve for n",
                f"1 + {span}·n ≥ {target} → n ≥ ({target} − 1) / {span} = "
                f"{(target - 1) / span:g} → n = ⌈{(target - 1) / span:g}⌉ = **{count}**.",
            ),
            SolutionStep("Final answer", f"**{count}** layers."),
            SolutionStep(
                "Quick check",
                f"{count} layers see 1 + {span}·{count} = {reached} ≥ {target} pixels; "
                f"{count - 1} would see only 1 + {span}·{count - 1} = {previous} < {target}. [OK]",
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "layer": {
                    "type": "Conv2d",
                    "in_channels": channels,
                    "out_channels": channels,
                    "kernel_size": kernel,
                    "stride": 1,
                    "padding": padding,
                    "dilation": dilation,
                },
                "target": target,
                "asked": "layers_needed",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, count, display=str(count)),
            solution_steps=steps,
            hints=[
                "Write the field after n identical stride-1 layers as a formula in n.",
                "A single layer already sees more than 1 pixel; each extra layer adds a fixed "
                "amount.",
            ],
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format="a whole number of layers, e.g. 4",
        )


def _walk(layers: list[tuple[int, int, int, bool]], code_lines: list[str]) -> tuple[str, str]:
    """The layer-by-layer table of the worked solution, and the top-down quick check."""
    rows = ["| layer | adds d·(k − 1)·jump | r | jump after |", "| --- | --- | --- | --- |"]
    field, jump = 1, 1
    calls = [line for line in code_lines if line != "nn.ReLU()"]
    previous = field
    for (kernel, stride, dilation, _), call in zip(layers, calls, strict=True):
        added = dilation * (kernel - 1) * jump
        previous = field
        field += added
        jump_text = f"{jump}·{stride} = {jump * stride}" if stride > 1 else str(jump)
        rows.append(
            f"| `{call}` | {dilation}·({kernel} − 1)·{jump} = {added} | {field} | {jump_text} |"
        )
        last = (kernel, dilation, jump)
        jump *= stride
    kernel, dilation, last_jump = last
    span = dilation * (kernel - 1) + 1
    taps = "pixel" if span == 1 else "pixels"
    apart = f"{last_jump} input pixel{'s' if last_jump != 1 else ''} apart"
    check = (
        f"From the top: one output pixel reads {span} {taps} of the last layer's input, {apart}; "
        f"each of those sees {previous} input pixels, and together they cover "
        f"{previous} + ({span} − 1)·{last_jump} = {field}. [OK]"
    )
    return "\n".join(rows), check


GENERATOR = ReceptiveFieldGenerator()
