"""Family 6: shapes through a stack of layers (nn.Sequential of Conv2d / ReLU / MaxPool2d).

easy: two shape-changing layers (Conv2d then Conv2d or MaxPool2d), square input: the shape of y.
medium: three or four layers with max-pooling: the shape of y.
hard: one of three questions, equally often:
    - the shape of y after four to six layers mixing stride, padding, dilation, pooling with
      ceil_mode, on a non-square input;
    - "how many layers": fresh copies of one layer (or one conv-ReLU-pool block) run in a loop
      until the map is too small; how many ran?
    - "which layer fails": an MCQ naming the first layer of a stack that raises on a given input
      (or none), with torch's real message in the solution.

Layers are tuples: ``("Conv2d", kernel, stride, padding, dilation, in_channels, out_channels)``,
``("MaxPool2d", kernel, stride or None, padding, dilation, ceil_mode)``; the misconception area
``stacks`` reads the same tuples.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
from quizzes.generators.pooling import MAX_POOL, pool_call, pool_too_small_error
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import conv2d_call
from quizzes.misconceptions.stacks import (
    CONV,
    STACK_CHANNELS_FROM_WRONG_LAYER,
    chained_mistakes,
    count_mistakes,
    count_repeats,
    failing_layer_replay,
)
from quizzes.shapes import conv_output_size, pool_output_size

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

Layer = tuple[Any, ...]
_PRELUDE = "```python\nimport torch\nimport torch.nn as nn\n\n"
_CHANNELS = (8, 16, 32, 64, 128, 256)
_RELU = "nn.ReLU()"
_RELU_SPEC = {"type": "ReLU"}
_SHAPE_FORMAT = "a shape like (1, 16, 12, 12)"
_RULES = (
    "Only Conv2d and MaxPool2d change H and W; ReLU keeps the shape. Each layer's input is the "
    "previous layer's output, so apply the formula layer by layer:\n\n"
    "- Conv2d: `out = ⌊(in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1`\n"
    "- MaxPool2d: the same formula, with stride defaulting to kernel_size, and ⌈ ⌉ instead of "
    "⌊ ⌋ when ceil_mode=True (dropping a last window that would start in the right padding)."
)
_FAIL_RULES = (
    "Conv2d raises when its (dilated) kernel is larger than the padded map: "
    "in + 2·padding < dilation·(kernel_size − 1) + 1. MaxPool2d raises when its output size "
    "would be below 1. ReLU never changes the shape. Walk the layers in order, each one "
    "receiving the previous one's output."
)


def layer_code(layer: Layer) -> str:
    if layer[0] == CONV:
        return conv2d_call(layer[5], layer[6], layer[1], layer[2], layer[3], layer[4])
    return pool_call(MAX_POOL, layer[1], layer[2], layer[3], layer[4], layer[5])


def layer_spec(layer: Layer) -> dict[str, Any]:
    """The keyword arguments that rebuild the layer: ``getattr(nn, spec.pop("type"))(**spec)``."""
    if layer[0] == CONV:
        return {
            "type": CONV,
            "in_channels": layer[5],
            "out_channels": layer[6],
            "kernel_size": layer[1],
            "stride": layer[2],
            "padding": layer[3],
            "dilation": layer[4],
        }
    return {
        "type": MAX_POOL,
        "kernel_size": layer[1],
        "stride": layer[2],
        "padding": layer[3],
        "dilation": layer[4],
        "ceil_mode": layer[5],
    }


def working(layer: Layer, size: int) -> str:
    """``⌊(32 + 2·0 − 5) / 1⌋ + 1 = 28`` for one dimension of one layer."""
    return worked(layer, size)[0]


def worked(layer: Layer, size: int) -> tuple[str, int]:
    """(the working for one dimension of one layer, the output size it gives)."""
    kind, kernel, stride, padding, dilation = layer[:5]
    step = kernel if stride is None else stride
    span = f"{kernel}" if dilation == 1 else f"{dilation}·({kernel} − 1) − 1"
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1
    if kind != CONV and layer[5]:
        rounded = -(-numerator // step)
        text = f"⌈({size} + 2·{padding} − {span}) / {step}⌉ + 1 = {rounded + 1}"
        if rounded * step >= size + padding:
            return (
                f"{text}, minus the last window that would start in the right padding = {rounded}",
                rounded,
            )
        return text, rounded + 1
    out = numerator // step + 1
    return f"⌊({size} + 2·{padding} − {span}) / {step}⌋ + 1 = {out}", out


def sequential_code(modules: list[str]) -> str:
    return "net = nn.Sequential(\n    " + ",\n    ".join(modules) + ",\n)\n"


class LayerStacksGenerator(Generator):
    family = "layer_stacks"
    title = "Shapes through a stack of layers"
    topic = "layer-stacks"
    description = (
        "Follow a tensor's shape through an nn.Sequential of Conv2d, ReLU and MaxPool2d layers: "
        "the final shape, how many layers fit before the map is too small, and which layer fails."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "input height/width",
            IntRange(4, 512),
            {E: IntRange(8, 32), M: IntRange(16, 64), H: IntRange(20, 96)},
        ),
        ParameterSpec(
            "layer_count",
            "Conv2d/MaxPool2d layers in a stack",
            IntRange(1, 8),
            {E: IntRange(2, 2), M: IntRange(3, 4), H: IntRange(4, 6)},
        ),
        ParameterSpec(
            "kernel_size",
            "Conv2d kernel size",
            IntRange(1, 11),
            {E: IntRange(3, 5), M: IntRange(3, 5), H: IntRange(2, 7)},
        ),
        ParameterSpec(
            "stride",
            "Conv2d stride",
            IntRange(1, 4),
            {E: IntRange(1, 1), M: IntRange(1, 2), H: IntRange(1, 3)},
        ),
        ParameterSpec(
            "padding",
            "Conv2d padding",
            IntRange(0, 5),
            {E: IntRange(0, 1), M: IntRange(0, 2), H: IntRange(0, 3)},
        ),
        ParameterSpec(
            "dilation",
            "Conv2d dilation",
            IntRange(1, 4),
            {E: IntRange(1, 1), M: IntRange(1, 1), H: IntRange(1, 2)},
        ),
        ParameterSpec(
            "pool_kernel",
            "MaxPool2d kernel size",
            IntRange(2, 4),
            {E: IntRange(2, 2), M: IntRange(2, 3), H: IntRange(2, 3)},
        ),
        ParameterSpec(
            "batch_size",
            "batch size N",
            IntRange(1, 256),
            {E: IntRange(1, 8), M: IntRange(1, 32), H: IntRange(1, 64)},
        ),
    )

    def validate_config(self, config: Mapping[str, object]) -> list[str]:
        errors = super().validate_config(config)
        if errors:
            return errors
        kernel = config.get("kernel_size")
        padding = config.get("padding")
        dilation = config.get("dilation")
        size = config.get("input_size")
        smallest_span = (dilation[0] if dilation else 1) * ((kernel[0] if kernel else 2) - 1) + 1
        most_padding = padding[1] if padding else 0
        if size is not None and size[1] + 2 * most_padding < smallest_span:
            errors.append(
                f"input_size up to {size[1]} with padding up to {most_padding} is smaller than "
                f"the smallest kernel span {smallest_span}: not even the first Conv2d could run"
            )
        if kernel is not None and kernel[1] < 2:
            errors.append(
                "every kernel_size is 1: a 1×1 convolution never shrinks the map, so the "
                "'how many layers' and 'which layer fails' questions have no answer"
            )
        return errors

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        if difficulty is H:
            kind = rng.randint(0, 2)
            if kind == 1:
                return self._count(rng, seed, difficulty, ranges)
            if kind == 2:
                return self._which_fails(rng, seed, difficulty, ranges)
        return self._shape(rng, seed, difficulty, ranges)

    # -----------------------------------------------------------------------------------------
    # Drawing layers.

    def _draw_conv(
        self,
        rng: QuestionRandom,
        ranges: Mapping[str, IntRange],
        size: int,
        channels: int,
        out_channels: int,
    ) -> Layer | None:
        """A Conv2d that runs on a map whose smaller side is ``size`` (None if none does)."""
        kernel_range, padding_range = ranges["kernel_size"], ranges["padding"]
        stride_range, dilation_range = ranges["stride"], ranges["dilation"]
        # rng.randint(range.low, range.high) rather than range.draw(rng), and the output size
        # inline: a Python call costs more than the draw, and stacks draw a few dozen values.
        for attempt in range(6):
            kernel = rng.randint(kernel_range.low, kernel_range.high)
            dilation = (
                rng.randint(dilation_range.low, dilation_range.high)
                if rng.randint(0, 2) == 0
                else dilation_range.low
            )
            # Small maps get stride 1, or the stack collapses to 1×1 after two layers.
            stride = (
                rng.randint(stride_range.low, stride_range.high) if size >= 12 else stride_range.low
            )
            padding = rng.randint(
                padding_range.low,
                max(padding_range.low, min(padding_range.high, dilation * (kernel - 1))),
            )
            # Prefer layers that leave at least 2 pixels, so later layers have something to do.
            if (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1 >= (
                2 if attempt < 4 else 1
            ):
                return (CONV, kernel, stride, padding, dilation, channels, out_channels)
        kernel, padding = kernel_range.low, padding_range.high
        if size + 2 * padding >= kernel:
            return (CONV, kernel, stride_range.low, padding, 1, channels, out_channels)
        return None

    def _draw_pool(
        self,
        rng: QuestionRandom,
        ranges: Mapping[str, IntRange],
        difficulty: Difficulty,
        height: int,
        width: int,
    ) -> Layer | None:
        """A MaxPool2d that runs on an (height, width) map (None if none does)."""
        kernel_range = ranges["pool_kernel"]
        for attempt in range(4):
            kernel = rng.randint(kernel_range.low, kernel_range.high)
            stride, padding, dilation, ceil_mode = None, 0, 1, False
            if difficulty is H:
                if rng.randint(0, 2) == 0:
                    stride = rng.randint(1, kernel)
                if rng.randint(0, 2) == 0:
                    padding = rng.randint(1, kernel // 2)
                if rng.randint(0, 5) == 0:
                    dilation = 2
                ceil_mode = rng.randint(0, 1) == 1
            elif difficulty is M and rng.randint(0, 4) == 0:
                stride = rng.randint(1, kernel)
            layer = (MAX_POOL, kernel, stride, padding, dilation, ceil_mode)
            if pool_output_size(
                min(height, width), kernel, stride, padding, dilation, ceil_mode
            ) >= (2 if attempt < 3 else 1):
                return layer
        return None

    def _draw_stack(
        self,
        rng: QuestionRandom,
        ranges: Mapping[str, IntRange],
        difficulty: Difficulty,
        height: int,
        width: int,
        channels: int,
    ) -> list[Layer]:
        """Shape-changing layers that all run on (height, width), with at least one pool on
        medium and hard."""
        count = ranges["layer_count"].draw(rng)
        pool_share = 2 if difficulty is E else 3
        layers: list[Layer] = []
        has_pool = False
        out_index = rng.randint(0, 2)
        for index in range(count):
            previous_is_pool = bool(layers) and layers[-1][0] != CONV
            wants_pool = (
                index > 0
                and not previous_is_pool
                and (
                    rng.randint(1, pool_share) == 1
                    or (index == count - 1 and not has_pool and difficulty is not E)
                )
            )
            layer = self._draw_pool(rng, ranges, difficulty, height, width) if wants_pool else None
            if layer is None:
                out_channels = _CHANNELS[min(len(_CHANNELS) - 1, out_index)]
                out_index += rng.randint(0, 1)
                layer = self._draw_conv(rng, ranges, min(height, width), channels, out_channels)
                if layer is None:
                    break  # only with very tight template ranges: a shorter stack
                channels = out_channels
            else:
                has_pool = True
            layers.append(layer)
            height, width = _outputs(layer, height, width)
        return layers

    # -----------------------------------------------------------------------------------------
    # Shape after the stack.

    def _shape(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        size_range = ranges["input_size"]
        height = size_range.draw(rng)
        width = size_range.draw(rng) if difficulty is H else height
        batch = ranges["batch_size"].draw(rng)
        in_channels = rng.choice((1, 3, 3))
        layers = self._draw_stack(rng, ranges, difficulty, height, width, in_channels)
        if not layers:  # a template whose smallest inputs fit no kernel: use its largest input
            height = width = size_range.high
            layers = self._draw_stack(rng, ranges, difficulty, height, width, in_channels)
        modules: list[str] = []
        specs: list[dict[str, Any]] = []
        lines: list[str] = []
        out_h, out_w = height, width
        is_square = height == width
        heights, widths = [height], [width]
        index = 0
        last_conv: Layer = layers[0]
        for layer in layers:
            code = layer_code(layer)
            modules.append(code)
            specs.append(layer_spec(layer))
            text_h, out_h = worked(layer, out_h)
            if is_square:
                text = f"`net[{index}]` `{code}`: H = W = {text_h}"
                out_w = out_h
            else:
                text_w, out_w = worked(layer, out_w)
                text = f"`net[{index}]` `{code}`: H = {text_h}; W = {text_w}"
            if layer[0] != CONV and layer[2] is None:
                text += f" (stride defaults to kernel_size = {layer[1]})"
            lines.append(text)
            heights.append(out_h)
            widths.append(out_w)
            index += 1
            if layer[0] == CONV:
                last_conv = layer
                modules.append(_RELU)
                specs.append(_RELU_SPEC)
                lines.append(f"`net[{index}]` `nn.ReLU()`: shape unchanged")
                index += 1
        channels = last_conv[6]
        key = (batch, channels, out_h, out_w)
        key_text = f"({batch}, {channels}, {out_h}, {out_w})"
        prompt = (
            f"What is the shape of `y`?\n\n{_PRELUDE}{sequential_code(modules)}"
            f"x = torch.randn({batch}, {in_channels}, {height}, {width})\ny = net(x)\n```\n"
        )
        height_mistakes = dict(chained_mistakes(height, layers))
        width_mistakes = height_mistakes if is_square else dict(chained_mistakes(width, layers))
        candidates: list[tuple[str, tuple[int, ...]]] = [
            (
                identifier,
                (
                    batch,
                    channels,
                    height_mistakes.get(identifier, out_h),
                    width_mistakes.get(identifier, out_w),
                ),
            )
            for identifier in dict.fromkeys([*height_mistakes, *width_mistakes])
        ]
        if last_conv[5] != channels:
            candidates.append(
                (STACK_CHANNELS_FROM_WRONG_LAYER.id, (batch, last_conv[5], out_h, out_w))
            )
        if out_h != out_w:
            candidates.append(("height_width_swapped", (batch, channels, out_w, out_h)))
        wrong = unique_wrong_answers(key, candidates)
        if is_square:
            sizes = " → ".join(map(str, heights))
        else:
            sizes = " → ".join(f"{h}×{w}" for h, w in zip(heights, widths, strict=True))
        steps = [
            SolutionStep("Step 1: What each layer does", _RULES),
            SolutionStep(
                "Step 2: N and C",
                f"N = {batch} passes through every layer. The channels become the last "
                f"Conv2d's out_channels = {channels} (ReLU and pooling keep the channel count).",
            ),
            SolutionStep(
                "Step 3: Chain the layers" + ("" if is_square else " (H and W)"), "\n\n".join(lines)
            ),
            SolutionStep("Final answer", f"`y.shape` is **{key_text}**."),
            SolutionStep(
                "Quick check",
                "Print the shape after every layer: `for layer in net: x = layer(x); "
                f"print(tuple(x.shape))`. The spatial sizes go {sizes}, and the last line is "
                f"{key_text}. [OK]",
            ),
        ]
        hints = ["Each layer receives the previous layer's output, not the original image."]
        if any(layer[0] != CONV for layer in layers):
            hints.append("What stride does nn.MaxPool2d use when none is given?")
        hints.append("ReLU does not change the shape.")
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [batch, in_channels, height, width],
                "layers": specs,
                "asked": "shape",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.SHAPE, key, display=key_text),
            solution_steps=steps,
            hints=hints,
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format=_SHAPE_FORMAT,
        )

    # -----------------------------------------------------------------------------------------
    # How many copies run before the map is too small.

    def _count(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        channels = rng.choice((1, 3, 8, 16))
        size_range = ranges["input_size"]
        kind = rng.randint(0, 3)
        if kind <= 1:  # a convolution without padding, twice as often as the other two
            kernel_range = ranges["kernel_size"]
            kernel = rng.randint(max(2, kernel_range.low), max(2, kernel_range.high))
            dilation = ranges["dilation"].draw(rng)
            stride = ranges["stride"].draw(rng)
            span = dilation * (kernel - 1) + 1
            if stride == 1:
                # The count grows linearly with the size: pick it, then a size that gives it.
                target = rng.randint(3, 10)
                size = span + (target - 1) * (span - 1) + rng.randint(0, span - 2)
                while size > size_range.high and target > 1:
                    target -= 1
                    size = span + (target - 1) * (span - 1)
                size = max(size, span)
            else:
                size = max(size_range.draw(rng), span)
            block: list[Layer] = [(CONV, kernel, stride, 0, dilation, channels, channels)]
        elif kind == 2:
            kernel = ranges["pool_kernel"].draw(rng)
            size = max(size_range.draw(rng), kernel)
            block = [(MAX_POOL, kernel, None, 0, 1, False)]
        else:
            kernel = rng.choice((3, 3, 5))
            padding = (kernel - 1) // 2 if rng.randint(0, 2) else 0
            size = max(size_range.draw(rng), kernel)
            block = [
                (CONV, kernel, 1, padding, 1, channels, channels),
                (MAX_POOL, 2, None, 0, 1, False),
            ]
        count = count_repeats(size, block)
        assert count is not None  # every block above shrinks the map until it fails
        if len(block) == 1:
            code = layer_code(block[0])
            specs = [layer_spec(block[0])]
            what = "layers"
        else:
            code = f"nn.Sequential({layer_code(block[0])}, {_RELU}, {layer_code(block[1])})"
            specs = [layer_spec(block[0]), _RELU_SPEC, layer_spec(block[1])]
            what = "blocks"
        prompt = (
            f"This loop applies fresh copies of the same {what[:-1]} until one of them fails:\n\n"
            f"{_PRELUDE}x = torch.randn(1, {channels}, {size}, {size})\ncount = 0\n"
            f"while True:\n    # a fresh copy each time\n    x = {code}(x)\n    count += 1\n```\n\n"
            "The loop ends when a layer raises a RuntimeError because the map has become too "
            f"small for it. What is `count` then, i.e. how many {what} ran?"
        )
        chain, failure = _count_chain(size, block, count, channels)
        wrong = unique_wrong_answers(count, count_mistakes(size, block, count))
        steps = [
            SolutionStep("Step 1: When does a copy fail?", _FAIL_RULES),
            SolutionStep("Step 2: Follow the map", f"{chain}\n\n{failure}"),
            SolutionStep(
                "Final answer",
                f"`count` is **{count}**: {count} {what} ran, and copy number {count + 1} raised.",
            ),
            SolutionStep(
                "Quick check",
                f"There are {count} arrows in the chain above, one per {what[:-1]} that ran; "
                "the error comes from the next one, which therefore is not counted. [OK]",
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [1, channels, size, size],
                "block": specs,
                "asked": "count",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, count, display=str(count)),
            solution_steps=steps,
            hints=[
                "Write down the size after each copy until the next copy's window no longer fits.",
                "A kernel exactly as large as the (padded) map still runs and gives 1 × 1.",
            ],
            misconceptions=[w.misconception for w in wrong],
            wrong_answers=wrong,
            answer_format="a whole number, e.g. 7",
        )

    # -----------------------------------------------------------------------------------------
    # Which layer raises first.

    def _which_fails(
        self, rng: QuestionRandom, seed: int, difficulty: Difficulty, ranges: Mapping[str, IntRange]
    ) -> Variant:
        layers, size, (final, failed), mistakes = self._failing_stack(rng, ranges)
        batch = ranges["batch_size"].draw(rng)
        in_channels = layers[0][5]
        modules: list[str] = []
        specs: list[dict[str, Any]] = []
        positions: list[int] = []  # index in net of each shape-changing layer
        for layer in layers:
            positions.append(len(modules))
            modules.append(layer_code(layer))
            specs.append(layer_spec(layer))
            if layer[0] == CONV:
                modules.append(_RELU)
                specs.append(_RELU_SPEC)

        def option(index: int | None) -> str:
            if index is None:
                return "No layer fails: the whole stack runs"
            return f"`net[{positions[index]}]`: `{modules[positions[index]]}`"

        correct_text = option(failed)
        distractors: list[tuple[str, str | None]] = [
            (option(index), identifier) for identifier, index in mistakes
        ]
        choices = build_choices(rng, correct_text, distractors)
        label = correct_label(choices)
        prompt = (
            "Which layer is the first to raise an error?\n\n"
            f"{_PRELUDE}{sequential_code(modules)}"
            f"x = torch.randn({batch}, {in_channels}, {size}, {size})\ny = net(x)\n```\n"
        )
        lines: list[str] = []
        current, channels = size, in_channels
        message = ""
        for index, layer in enumerate(layers):
            name = f"`net[{positions[index]}]` `{modules[positions[index]]}`"
            if index == failed:
                message = _failure_message(layer, current, channels)
                lines.append(
                    f"{name}: {_why_it_fails(layer, current)}: torch raises\n\n"
                    f"`RuntimeError: {message}`"
                )
                break
            out = _output(layer, current)
            lines.append(f"{name}: {current} → {working(layer, current)}")
            current = out
            if layer[0] == CONV:
                channels = layer[6]
        last_channels = next(layer[6] for layer in reversed(layers) if layer[0] == CONV)
        if failed is None:
            shape = f"({batch}, {last_channels}, {final}, {final})"
            final_text = f"No layer fails, and `y.shape` is {shape} -> Option {label}"
            check = f"`print(net(x).shape)` shows `torch.Size([{shape[1:-1]}])`. [OK]"
        else:
            final_text = f"`net[{positions[failed]}]` raises a RuntimeError -> Option {label}"
            loop = (
                "Run the layers one at a time: `for i, layer in enumerate(net): x = layer(x); "
                "print(i, tuple(x.shape))`"
            )
            if failed:
                check = (
                    f"{loop} prints up to the shape after `net[{positions[failed] - 1}]`, "
                    f"({batch}, {channels}, {current}, {current}), then stops with the error "
                    "above. [OK]"
                )
            else:
                check = f"{loop} prints nothing: `net[0]` stops with the error above. [OK]"
        steps = [
            SolutionStep("Step 1: When does a layer raise?", _FAIL_RULES),
            SolutionStep("Step 2: Walk the stack (H = W here)", "\n\n".join(lines)),
            SolutionStep("Final answer", final_text),
            SolutionStep("Quick check", check),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [batch, in_channels, size, size],
                "layers": specs,
                "asked": "first_failure",
                "failing_index": None if failed is None else positions[failed],
            },
            prompt=prompt,
            answer=Answer(
                AnswerKind.CHOICE,
                label,
                raises=None if failed is None else "RuntimeError",
                display=correct_text
                if failed is None
                else f"{correct_text} raises `RuntimeError: {message}`",
            ),
            choices=choices,
            solution_steps=steps,
            hints=[
                "Track the map's size after every layer, starting from x.",
                "A layer fails when its window no longer fits the map it receives, not when it "
                "produces a small map.",
            ],
            misconceptions=[c.misconception for c in choices if c.misconception],
            answer_format="the letter of one option, e.g. B",
        )

    def _failing_stack(
        self, rng: QuestionRandom, ranges: Mapping[str, IntRange]
    ) -> tuple[list[Layer], int, tuple[int, int | None], list[tuple[str, int | None]]]:
        """(layers, square input size, ``run``'s (size, failing index), the mistakes' blames).

        The layers are drawn first, then the layer that is to fail (or none), then an input size
        in that target's window (see ``_failure_windows``): the stack fails where chosen the first
        time. Every distractor must come from a named mistake, and the question reads best with
        three: while fewer than three mistakes blame a layer other than the right one, other
        sizes and targets of the same stack are tried (a new stack only when none has two).
        """
        size_cap = ranges["input_size"].high
        best: tuple[int, tuple[list[Layer], int, tuple[int, int | None], Any]] | None = None
        for _ in range(4):
            layers = self._draw_free_stack(rng, ranges)
            # The layers after the first whose window could hold an input; a window is worked
            # out only when its layer is picked (most questions look at one).
            targets = [
                index
                for index in range(1, len(layers))
                if layers[index][4] * (layers[index][1] - 1) + 1 - 2 * layers[index][3] >= 2
            ]
            windows: dict[int, tuple[int, int] | None] = {}
            # "No layer fails" a third of the time; its mistakes rarely blame three layers, so
            # it gets two sizes before a failing layer is chosen instead.
            tries: list[tuple[int | None, int]] = []
            if not targets or rng.randint(0, 2) == 0:
                low = _smallest_input(layers, len(layers))
                high = min(low + 3, max(low, size_cap))
                first = rng.randint(low, high)
                second = low + (first - low + 2) % (high - low + 1)
                tries += [(None, first), (None, second)] if second != first else [(None, first)]
            attempt = 0
            while attempt < len(tries) + 3 and (attempt < len(tries) or targets):
                if attempt < len(tries):
                    target, size = tries[attempt]
                else:
                    target = rng.choice(targets)
                    if target not in windows:
                        windows[target] = _failure_window(layers, target, size_cap)
                    window = windows[target]
                    if window is None:  # no input makes it the first to fail: pick another
                        targets.remove(target)
                        continue
                    size = rng.randint(window[0], window[1])
                attempt += 1
                right, mistakes = failing_layer_replay(size, layers)
                assert right[1] == target
                blamed = len({index for _, index in mistakes})
                if blamed >= 3:
                    return layers, size, right, mistakes
                if best is None or blamed > best[0]:
                    best = blamed, (layers, size, right, mistakes)
            if best is not None and best[0] >= 2:
                break
        if best is None:  # tight template ranges: no layer could be made to fail
            size = _smallest_input(layers, len(layers))
            return (layers, size, *failing_layer_replay(size, layers))
        return best[1]

    def _draw_free_stack(self, rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> list[Layer]:
        """Floor-mode layers drawn without a map size (the input is chosen afterwards)."""
        # rng.randint(range.low, range.high) rather than range.draw(rng), and the ranges and the
        # last layer read once: the same draws, with a Python call less for each.
        count_range, pool_range = ranges["layer_count"], ranges["pool_kernel"]
        count = rng.randint(count_range.low, count_range.high)
        kernel_range, padding_range = ranges["kernel_size"], ranges["padding"]
        stride_range, dilation_range = ranges["stride"], ranges["dilation"]
        layers: list[Layer] = []
        channels = rng.choice((1, 3, 3))
        out_index = rng.randint(0, 2)
        has_pool = previous_is_pool = False
        last_channels = len(_CHANNELS) - 1
        for index in range(count):
            if (
                index > 0
                and not previous_is_pool
                and (rng.randint(0, 2) == 0 or (index == count - 1 and not has_pool))
            ):
                kernel = rng.randint(pool_range.low, pool_range.high)
                stride = None if rng.randint(0, 3) else rng.randint(2, max(2, kernel))
                layers.append((MAX_POOL, kernel, stride, 0, 1, False))
                has_pool = previous_is_pool = True
                continue
            previous_is_pool = False
            kernel = rng.randint(kernel_range.low, kernel_range.high)
            dilation = (
                rng.randint(dilation_range.low, dilation_range.high)
                if rng.randint(0, 2) == 0
                else dilation_range.low
            )
            stride = min(2, rng.randint(stride_range.low, stride_range.high))
            padding = rng.randint(
                padding_range.low,
                max(padding_range.low, min(padding_range.high, dilation * (kernel - 1) // 2)),
            )
            out_channels = _CHANNELS[min(last_channels, out_index)]
            out_index += rng.randint(0, 1)
            layers.append((CONV, kernel, max(1, stride), padding, dilation, channels, out_channels))
            channels = out_channels
        return layers


# ---------------------------------------------------------------------------------------------


def _outputs(layer: Layer, height: int, width: int) -> tuple[int, int]:
    """``_output`` for both sides in one call (drawing a stack updates both at every layer)."""
    kernel, stride, padding, dilation = layer[1], layer[2], layer[3], layer[4]
    offset = 2 * padding - dilation * (kernel - 1) - 1
    if layer[0] == CONV:
        return (height + offset) // stride + 1, (width + offset) // stride + 1
    if stride is None:
        stride = kernel
    if not layer[5]:
        return (height + offset) // stride + 1, (width + offset) // stride + 1
    return (
        pool_output_size(height, kernel, stride, padding, dilation, True),
        pool_output_size(width, kernel, stride, padding, dilation, True),
    )


def _output(layer: Layer, size: int) -> int:
    if layer[0] == CONV:
        return conv_output_size(size, layer[1], layer[2], layer[3], layer[4])
    return pool_output_size(size, layer[1], layer[2], layer[3], layer[4], layer[5])


def _smallest_input(layers: list[Layer], count: int) -> int:
    """The smallest input size on which the first ``count`` layers all run (floor mode)."""
    needed = 1  # the map after layer count-1 must be at least 1 pixel
    for layer in reversed(layers[:count]):
        kind, kernel, stride, padding, dilation = layer[:5]
        step = kernel if stride is None else stride
        needed = max(1, (needed - 1) * step + dilation * (kernel - 1) + 1 - 2 * padding)
    return needed


def _largest_input(layers: list[Layer], target: int, largest_at_target: int) -> int:
    """The largest input size whose map reaching layer ``target`` is at most the given size."""
    largest = largest_at_target
    for layer in reversed(layers[:target]):
        kind, kernel, stride, padding, dilation = layer[:5]
        step = kernel if stride is None else stride
        largest = largest * step + dilation * (kernel - 1) - 2 * padding
    return largest


def _failure_window(layers: list[Layer], target: int, size_cap: int) -> tuple[int, int] | None:
    """(smallest, largest) input on which layer ``target`` is the first to fail, or None.

    Between the two every layer before it runs and it fails: the smallest inverts each earlier
    layer's formula from a 1-pixel map back to the input, the largest from the biggest map the
    layer cannot take. The largest stays within the template's inputs unless even the smallest
    does not.
    """
    layer = layers[target]
    low = _smallest_input(layers, target)
    largest = layer[4] * (layer[1] - 1) - 2 * layer[3]  # the biggest map it cannot take
    high = min(_largest_input(layers, target, largest), max(low, size_cap))
    return (low, high) if low <= high else None


def _why_it_fails(layer: Layer, size: int) -> str:
    kind, kernel, stride, padding, dilation = layer[:5]
    span = dilation * (kernel - 1) + 1
    if kind == CONV:
        padded = size + 2 * padding
        unit = "pixel" if padded == 1 else "pixels"
        return (
            f"the padded map is {size} + 2·{padding} = {padded} {unit} wide, smaller than "
            f"the kernel span {span}"
        )
    return f"{working(layer, size)} < 1 output pixel"


def _failure_message(layer: Layer, size: int, channels: int) -> str:
    """torch's RuntimeError message for this layer on a square map of ``size``."""
    if layer[0] == CONV:
        padded = size + 2 * layer[3]
        span = layer[4] * (layer[1] - 1) + 1
        return (
            f"Calculated padded input size per channel: ({padded} x {padded}). Kernel size: "
            f"({span} x {span}). Kernel size can't be greater than actual input size"
        )
    out = _output(layer, size)
    return pool_too_small_error(channels, size, size, out, out)


def _count_chain(size: int, block: list[Layer], count: int, channels: int) -> tuple[str, str]:
    """The sizes copy by copy, and the sentence about the copy that fails."""
    current = size
    explain = []
    for layer in block:
        text, current = worked(layer, current)
        explain.append(f"`{layer_code(layer)}`: {text}")
    sizes = [str(size)]
    current = size
    if all(layer[0] == CONV or not layer[5] for layer in block):
        # Floor-mode blocks (all of _count's) worked inline, copy after copy: a call per layer
        # and copy was a good part of a count question. The copies all run, so no check.
        formulas = [
            (
                2 * layer[3] - layer[4] * (layer[1] - 1) - 1,
                layer[1] if layer[2] is None else layer[2],
            )
            for layer in block
        ]
        for _ in range(count):
            for offset, step in formulas:
                current = (current + offset) // step + 1
            sizes.append(str(current))
    else:
        for _ in range(count):
            for layer in block:
                current = _output(layer, current)
            sizes.append(str(current))
    chain = (
        f"The first copy, from {size} × {size}: "
        + "; then ".join(explain)
        + ". Each copy does the same to the map it receives:\n\n"
        + " → ".join(sizes)
    )
    text = f"Copy {count + 1} gets {current} × {current}"
    for layer in block:
        out = _output(layer, current)
        if out < 1:
            message = _failure_message(layer, current, channels)
            return chain, (
                f"{text}; in `{layer_code(layer)}` {_why_it_fails(layer, current)}, so torch "
                f"raises `RuntimeError: {message}`"
            )
        text += f"; `{layer_code(layer)}` turns it into {out} × {out}"
        current = out
    raise AssertionError("count_repeats found a failing copy, so one layer must fail")


GENERATOR = LayerStacksGenerator()
