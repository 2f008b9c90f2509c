"""Family 12: design a layer (or two) that maps a given input shape to a given output shape.

Any setting that follows the question's stated rules and gives the target is accepted: the
checker parses the student's setting and computes what it produces, so there is no single key.

easy: one Conv2d on a square input: choose kernel_size, stride, padding.
medium: one Conv2d on a non-square input: one int setting must map both height and width.
hard: either a dilated Conv2d with small kernels (choose kernel_size, stride, padding, dilation),
    or two stacked Conv2d layers (six numbers).

Rules stated in every prompt: each value within its range (template-tunable), and
0 ≤ padding ≤ (dilation·(kernel_size − 1) + 1) // 2, half the kernel span (kernel_size // 2
without dilation): more padding only adds border rows the kernel barely touches. Settings torch
refuses (non-positive kernel/stride/dilation, negative padding, a kernel larger than the padded
input) are rejected with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quizzes.answers import parse_integers
from quizzes.generators.base import (
    Answer,
    AnswerKind,
    CheckResult,
    Difficulty,
    Generator,
    IntRange,
    ParameterSpec,
    SolutionStep,
    Variant,
    WrongAnswer,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.misconceptions import describe_misconception
from quizzes.misconceptions.conv import ONE_DIMENSION
from quizzes.shapes import conv_output_size

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

Layer = tuple[int, int, int, int]  # kernel_size, stride, padding, dilation

NAMES = ("kernel_size", "stride", "padding", "dilation")
ALIASES = {
    "kernel_size": "kernel_size",
    "kernel": "kernel_size",
    "k": "kernel_size",
    "ks": "kernel_size",
    "kernelsize": "kernel_size",
    "stride": "stride",
    "s": "stride",
    "strides": "stride",
    "padding": "padding",
    "pad": "padding",
    "p": "padding",
    "dilation": "dilation",
    "d": "dilation",
    "dil": "dilation",
}
_LAYER_SEPARATORS = re.compile(r"[;\n|]")
CODE_HEAD = "```python\nimport torch\nimport torch.nn as nn\n\n"
FORMULA = "out = ⌊(in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1"
FORMULA_PLAIN = "out = ⌊(in + 2·padding − kernel_size) / stride⌋ + 1"
_MISTAKES = tuple((m.id, m.wrong_answer) for m in ONE_DIMENSION)


def span(kernel: int, dilation: int) -> int:
    return dilation * (kernel - 1) + 1


def padding_limit(kernel: int, dilation: int) -> int:
    """The most padding the rules allow: half the (dilated) kernel span, rounded down."""
    return span(kernel, dilation) // 2


def setting_text(layers: Sequence[Layer], names: Sequence[str]) -> str:
    """'kernel_size=3, stride=2, padding=1', or 'layer 1: ...; layer 2: ...'."""
    dilated = len(names) == 4
    texts = [
        f"kernel_size={kernel}, stride={stride}, padding={padding}"
        + (f", dilation={dilation}" if dilated else "")
        for kernel, stride, padding, dilation in layers
    ]
    if len(texts) == 1:
        return texts[0]
    return f"layer 1: {texts[0]}; layer 2: {texts[1]}"


def run_layers(size: int, layers: Sequence[Layer]) -> list[int]:
    """Sizes after each layer (the first entry is the input); stops early where torch raises."""
    sizes = [size]
    for kernel, stride, padding, dilation in layers:
        if size + 2 * padding < span(kernel, dilation):
            break
        size = conv_output_size(size, kernel, stride, padding, dilation)
        sizes.append(size)
    return sizes


def _mistaken(size: int, layers: Sequence[Layer], wrong_answer: Any) -> int | None:
    """The size a formula mistake gives through every layer, or None if it changes nothing."""
    changed = False
    for kernel, stride, padding, dilation in layers:
        wrong = wrong_answer(size, kernel, stride, padding, dilation)
        if wrong is None:
            size = conv_output_size(size, kernel, stride, padding, dilation)
        else:
            size, changed = wrong, True
        if size < 1:
            return None
    return size if changed else None


def diagnose(spec: Mapping[str, Any], layers: Sequence[Layer], got: Sequence[int]) -> str | None:
    """The misconception under which this wrong setting would have given the target."""
    inputs, target = spec["input"], spec["target"]
    identifier = _first_mistake(inputs, target, layers)
    if identifier is not None:
        return identifier
    if inputs[0] != inputs[1] and (got[0] == target[0]) != (got[1] == target[1]):
        return "design_one_dimension_only"
    return None


def rule_breaks(spec: Mapping[str, Any], layers: Sequence[Layer]) -> list[str]:
    """Every rule of the question this setting breaks, as sentences."""
    problems = []
    for index, layer in enumerate(layers, start=1):
        where = f" (layer {index})" if len(layers) > 1 else ""
        for name, value in zip(
            ("kernel_size", "stride", "dilation"), (layer[0], layer[1], layer[3]), strict=True
        ):
            low, high = spec[name]
            if not low <= value <= high:
                problems.append(f"{name}={value}{where} is outside {low}..{high}")
        kernel, _, padding, dilation = layer
        limit = padding_limit(kernel, dilation)
        if padding > limit:
            rule = "kernel_size // 2" if dilation == 1 else "(dilation·(kernel_size − 1) + 1) // 2"
            problems.append(f"padding={padding}{where} is more than {rule} = {limit}")
    return problems


def torch_refusal(spec: Mapping[str, Any], layers: Sequence[Layer]) -> str | None:
    """Why nn.Conv2d would refuse this setting on the question's input, or None."""
    for index, (kernel, stride, padding, dilation) in enumerate(layers, start=1):
        where = f" in layer {index}" if len(layers) > 1 else ""
        if kernel < 1 or stride < 1 or dilation < 1:
            return (
                f"kernel_size, stride and dilation must be at least 1{where}: torch "
                "raises instead of producing a shape"
            )
        if padding < 0:
            return f"padding must be at least 0{where}: torch raises for negative padding"
    for size in spec["input"]:
        sizes = run_layers(size, layers)
        if len(sizes) <= len(layers):
            kernel, _, padding, dilation = layers[len(sizes) - 1]
            where = f" at layer {len(sizes)}" if len(layers) > 1 else ""
            return (
                f"the kernel spans {span(kernel, dilation)} pixels but the padded input is only "
                f"{sizes[-1]} + 2·{padding} = {sizes[-1] + 2 * padding}{where}: torch raises a "
                "RuntimeError (kernel size can't be greater than the padded input size)"
            )
    return None


def _size_text(sizes: Sequence[int], square: bool) -> str:
    return str(sizes[0]) if square else f"{sizes[0]}×{sizes[1]}"


def _working(spec: Mapping[str, Any], layers: Sequence[Layer]) -> str:
    parts = []
    for name, size in zip(("H", "W"), spec["input"], strict=True):
        if len(layers) == 1:
            kernel, stride, padding, dilation = layers[0]
            numerator = size + 2 * padding - dilation * (kernel - 1) - 1
            inner = (
                f"{size} + 2·{padding} − {kernel}"
                if dilation == 1
                else f"{size} + 2·{padding} − {dilation}·({kernel} − 1) − 1"
            )
            parts.append(
                f"{name}: ⌊({inner}) / {stride}⌋ + 1 = ⌊{numerator}/{stride}⌋ + 1 = "
                f"{numerator // stride + 1}"
            )
        else:
            parts.append(f"{name}: " + " → ".join(map(str, run_layers(size, layers))))
        if spec["input"][0] == spec["input"][1]:
            break
    return "; ".join(parts)


def _run(size: int, layers: Sequence[Layer]) -> int | None:
    """The size after every layer, or None where torch would refuse (kernel larger than input)."""
    for kernel, stride, padding, dilation in layers:
        if size + 2 * padding < dilation * (kernel - 1) + 1:
            return None
        size = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    return size


def _first_mistake(
    inputs: Sequence[int],
    target: Sequence[int],
    layers: Sequence[Layer],
    upto: int = len(_MISTAKES),
) -> str | None:
    """The first of the first ``upto`` formula mistakes that gives the target on every input."""
    for identifier, wrong_answer in _MISTAKES[:upto]:
        if all(
            _mistaken(size, layers, wrong_answer) == goal
            for size, goal in zip(inputs, target, strict=True)
        ):
            return identifier
    return None


def _layer_reasoning(layer: Layer, height: int, width: int, square: bool) -> str:
    kernel, stride, padding, dilation = layer
    kernel_span = dilation * (kernel - 1) + 1
    room_h = height + 2 * padding - kernel_span
    low_h = room_h // stride * stride
    need = (
        f"H: {height} + 2·{padding} − {kernel_span} = {room_h}, within {low_h}..."
        f"{low_h + stride - 1} as needed for {room_h // stride + 1}"
    )
    if not square:
        room_w = width + 2 * padding - kernel_span
        low_w = room_w // stride * stride
        need += (
            f"; W: {width} + 2·{padding} − {kernel_span} = {room_w}, within {low_w}..."
            f"{low_w + stride - 1} as needed for {room_w // stride + 1}"
        )
    setting = (
        f"stride = {stride}, kernel_size = {kernel}, padding = {padding}"
        if dilation == 1
        else f"stride = {stride}, kernel_size = {kernel}, dilation = {dilation}, padding = "
        f"{padding} (span = {dilation}·({kernel} − 1) + 1 = {kernel_span})"
    )
    return (
        f"Take {setting}; padding {padding} ≤ {kernel_span // 2} keeps the rule. To get out from "
        "in, in + 2·padding − span must lie between (out − 1)·stride and (out − 1)·stride + "
        f"stride − 1 (the floor drops the rest).\n\n{need}."
    )


def _plugged(layer: Layer, size: int, name: str) -> str:
    kernel, stride, padding, dilation = layer
    room = size + 2 * padding - dilation * (kernel - 1) - 1
    inner = (
        f"{size} + 2·{padding} − {kernel}"
        if dilation == 1
        else f"{size} + 2·{padding} − {dilation}·({kernel} − 1) − 1"
    )
    return f"{name}: ⌊({inner}) / {stride}⌋ + 1 = ⌊{room}/{stride}⌋ + 1 = {room // stride + 1}"


def _one_layer_wrong_answers(
    inputs: Sequence[int], target: Sequence[int], layer: Layer, width: int
) -> list[WrongAnswer]:
    """``_wrong_answers`` for one layer, in plain arithmetic (it runs for every variant)."""
    kernel, stride, padding, dilation = layer
    (height, breadth), (target_h, target_w) = inputs, target
    extent = dilation * (kernel - 1) + 1
    wrong = []
    if padding:
        # "Padding counted once" turns 2·padding back into padding: exactly the target.
        out_h = (height + 4 * padding - extent) // stride + 1
        out_w = (breadth + 4 * padding - extent) // stride + 1
        if out_h != target_h or out_w != target_w:
            values = [kernel, stride, 2 * padding, dilation][:width]
            wrong.append(WrongAnswer("padding_not_doubled", values))
    if kernel > stride and dilation == 1:
        # "Forgot the + 1" with kernel_size − stride gives exactly the target.
        smaller = kernel - stride
        out_h = (height + 2 * padding - smaller) // stride + 1
        out_w = (breadth + 2 * padding - smaller) // stride + 1
        claimed_by_padding = padding and (
            (height + padding - smaller) // stride + 1 == target_h
            and (breadth + padding - smaller) // stride + 1 == target_w
        )
        if (out_h != target_h or out_w != target_w) and not claimed_by_padding:
            values = [smaller, stride, padding, dilation][:width]
            wrong.append(WrongAnswer("forgot_plus_one", values))
    return wrong


_SHORT = {"kernel_size": "k", "stride": "s", "padding": "p", "dilation": "d"}
_SAMPLE = {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2}


def _answer_format(names: Sequence[str], layers: int) -> str:
    named = ", ".join(f"{name}={_SAMPLE[name]}" for name in names)
    brief = " ".join(f"{_SHORT[name]}={_SAMPLE[name]}" for name in names)
    plain = ", ".join(str(_SAMPLE[name]) for name in names)
    if layers == 2:
        return (
            f"`{named}; {named}` (layer 1; layer 2), or `{brief}; {brief}`, or six numbers "
            f"`{plain}, {plain}` in the order {', '.join(names)} for layer 1, then layer 2"
        )
    return f"`{named}` (or `{brief}`, or `{plain}` in that order)"


@dataclass(frozen=True, slots=True)
class _Texts:
    """The parts of a question that depend only on its kind and the template's ranges."""

    square: bool
    names: tuple[str, ...]
    kernel_rule: tuple[int, int]
    stride_rule: tuple[int, int]
    dilation_rule: tuple[int, int]
    unknown: str
    ask: str
    run: str
    rules: str
    answer_format: str
    hints: tuple[str, ...]
    misconceptions: list[str]
    formula: str
    step_one_title: str
    step_two_title: str

    @classmethod
    def build(
        cls, kind: str, square: bool, kernel: IntRange, stride: IntRange, dilation: IntRange
    ) -> _Texts:
        dilated = kind == "dilation"
        names = NAMES if dilated else NAMES[:3]
        layers = 2 if kind == "two_layers" else 1
        if kind == "two_layers":
            what = "both layers' `kernel_size`, `stride` and `padding`"
        elif dilated:
            what = "`kernel_size`, `stride`, `padding` and `dilation`"
        else:
            what = "`kernel_size`, `stride` and `padding`"
        rules = [
            f"{kernel.low} ≤ kernel_size ≤ {kernel.high}",
            f"{stride.low} ≤ stride ≤ {stride.high}",
        ]
        if dilated:
            rules.append(f"{dilation.low} ≤ dilation ≤ {dilation.high}")
            rules.append(
                "0 ≤ padding ≤ (dilation·(kernel_size − 1) + 1) // 2 (half the dilated kernel span)"
            )
        else:
            rules.append("0 ≤ padding ≤ kernel_size // 2")
        answer_format = _answer_format(names, layers)
        hints = [
            "The stride sets the rough scale: out ≈ in / stride. Pick it first.",
            "Then pick kernel_size and padding so the floor lands exactly on the target.",
        ]
        if not square:
            hints.append("One setting acts on both height and width: check both.")
        if dilated:
            hints.append("A dilated kernel spans dilation·(kernel_size − 1) + 1 pixels.")
        if kind == "two_layers":
            hints.append("Choose the size after the first layer, then design each layer.")
        misconceptions = ["design_broke_rule", "design_torch_refuses"]
        if not square:
            misconceptions.append("design_one_dimension_only")
        return cls(
            square=square,
            names=names,
            kernel_rule=(kernel.low, kernel.high),
            stride_rule=(stride.low, stride.high),
            dilation_rule=(dilation.low, dilation.high) if dilated else (1, 1),
            unknown="kernel_size=?, stride=?, padding=?" + (", dilation=?" if dilated else ""),
            ask=f"Choose {what} so that",
            run="y = conv2(conv1(x))" if kind == "two_layers" else "y = conv(x)",
            rules=(
                f"Rules{' for each layer' if layers == 2 else ''}: {', '.join(rules)}. More "
                "padding than that would only add borders the kernel barely touches. Any "
                "setting that follows the rules and gives the target shape is accepted.\n\n"
                f"Answer as {answer_format}."
            ),
            answer_format=answer_format,
            hints=tuple(hints),
            misconceptions=misconceptions,
            formula=f"`{FORMULA if dilated else FORMULA_PLAIN}`",
            step_one_title="Step 1: Write what the formula must give",
            step_two_title="Step 2: Choose the stride, then kernel_size and padding",
        )


class DesignGenerator(Generator):
    family = "design"
    title = "Design a layer for a target shape"
    topic = "design"
    description = (
        "Choose kernel_size, stride and padding (and dilation, or two layers) so nn.Conv2d maps "
        "a given input shape to a given output shape; any valid setting is accepted."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "input height/width",
            IntRange(4, 512),
            {E: IntRange(8, 64), M: IntRange(10, 64), H: IntRange(16, 128)},
        ),
        ParameterSpec(
            "kernel_size",
            "allowed kernel sizes (stated as a rule)",
            IntRange(1, 11),
            {E: IntRange(1, 5), M: IntRange(1, 7), H: IntRange(1, 3)},
        ),
        ParameterSpec(
            "stride",
            "allowed strides (stated as a rule)",
            IntRange(1, 6),
            {E: IntRange(1, 2), M: IntRange(1, 3), H: IntRange(1, 2)},
        ),
        ParameterSpec(
            "dilation",
            "allowed dilations (hard only; stated as a rule)",
            IntRange(1, 6),
            {E: IntRange(1, 1), M: IntRange(1, 1), H: IntRange(1, 4)},
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
        size = config.get("input_size")
        kernel = config.get("kernel_size")
        dilation = config.get("dilation")
        kernel_low = int(kernel[0]) if isinstance(kernel, list | tuple) else 1
        dilation_low = int(dilation[0]) if isinstance(dilation, list | tuple) else 1
        if isinstance(size, list | tuple) and size[0] < span(kernel_low, dilation_low):
            errors.append(
                f"input_size from {size[0]} is smaller than the smallest allowed kernel span "
                f"{span(kernel_low, dilation_low)}: some questions would have no valid answer"
            )
        return errors

    # -----------------------------------------------------------------------------------------

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        if difficulty is E:
            return self._variant(rng, seed, difficulty, ranges, kind="one_layer", square=True)
        if difficulty is M:
            return self._variant(rng, seed, difficulty, ranges, kind="one_layer", square=False)
        kind = "dilation" if ranges["dilation"].high >= 2 and rng.next32() & 1 else "two_layers"
        return self._variant(
            rng, seed, difficulty, ranges, kind=kind, square=bool(rng.next32() & 1)
        )

    def _draw_layer(
        self,
        rng: QuestionRandom,
        ranges: Mapping[str, IntRange],
        sizes: Sequence[int],
        *,
        dilated: bool,
        two_layers: bool = False,
    ) -> Layer | None:
        kernel_range = ranges["kernel_size"]
        # A dilated 1x1 kernel is still 1x1: dilation questions use kernels of at least 2.
        kernel = (
            rng.randint(max(2, kernel_range.low), kernel_range.high)
            if (dilated and kernel_range.high >= 2)
            else kernel_range.draw(rng)
        )
        # Two layers share the downsampling: each uses the largest stride allowed, so the
        # target is out of reach for any single layer within the rules.
        stride = ranges["stride"].high if two_layers else ranges["stride"].draw(rng)
        dilation_range = ranges["dilation"]
        dilation = rng.randint(max(2, dilation_range.low), dilation_range.high) if dilated else 1
        kernel_span = span(kernel, dilation)
        padding = rng.randint(0, kernel_span // 2)
        if min(sizes) + 2 * padding < kernel_span:
            return None
        return kernel, stride, padding, dilation

    def _variant(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
        *,
        kind: str,
        square: bool,
    ) -> Variant:
        size_range = ranges["input_size"]
        height = size_range.draw(rng)
        width = height if square else size_range.draw(rng)
        if width == height and not square and size_range.low < size_range.high:
            width = height - 1 if height > size_range.low else height + 1
        example: list[Layer] = []
        for attempt in range(12):
            first = self._draw_layer(
                rng,
                ranges,
                (height, width),
                dilated=kind == "dilation",
                two_layers=kind == "two_layers",
            )
            if first is None:
                continue
            # "Keep the size" is a fine question, but not most of the time: draw again once.
            if attempt == 0 and conv_output_size(height, *first) == height:
                continue
            example = [first]
            if kind == "two_layers":
                middle = (conv_output_size(height, *first), conv_output_size(width, *first))
                second = self._draw_layer(rng, ranges, middle, dilated=False, two_layers=True)
                if second is None:
                    example = []
                    continue
                example.append(second)
            break
        if not example:
            # Ranges too tight to draw a fitting layer: the smallest kernel always fits.
            low_kernel, low_stride = ranges["kernel_size"].low, ranges["stride"].low
            low_dilation = max(2, ranges["dilation"].low) if kind == "dilation" else 1
            example = [(low_kernel, low_stride, 0, low_dilation)] * (
                2 if kind == "two_layers" else 1
            )
        texts = self._texts(kind, square, ranges)
        target_h, target_w = height, width
        for layer in example:
            target_h = conv_output_size(target_h, *layer)
            target_w = conv_output_size(target_w, *layer)
        # params and the answer spec share these lists: nothing mutates a Variant's data.
        example_lists = [list(layer) for layer in example]
        spec = {
            "layers": len(example),
            "names": list(texts.names),
            "input": [height, width],
            "target": [target_h, target_w],
            "kernel_size": list(texts.kernel_rule),
            "stride": list(texts.stride_rule),
            "dilation": list(texts.dilation_rule),
            "example": example_lists,
        }
        channels_in = ranges["channels"].draw(rng)
        channels_out = ranges["channels"].draw(rng)
        channels_mid = ranges["channels"].draw(rng) if kind == "two_layers" else channels_out
        target = f"(1, {channels_out}, {target_h}, {target_w})"
        if kind == "two_layers":
            code = (
                f"conv1 = nn.Conv2d({channels_in}, {channels_mid}, {texts.unknown})\n"
                f"conv2 = nn.Conv2d({channels_mid}, {channels_out}, {texts.unknown})\n"
            )
        else:
            code = f"conv = nn.Conv2d({channels_in}, {channels_out}, {texts.unknown})\n"
        prompt = (
            f"{texts.ask} `y.shape == {target}`.\n\n{CODE_HEAD}{code}"
            f"x = torch.randn(1, {channels_in}, {height}, {width})\n{texts.run}  "
            f"# want y.shape == {target}\n```\n\n{texts.rules}"
        )
        display = setting_text(example, texts.names)
        wrong = self._wrong_answers(spec, example, len(texts.names))
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "input_shape": [1, channels_in, height, width],
                "in_channels": channels_in,
                "mid_channels": channels_mid,
                "out_channels": channels_out,
                "target_shape": [1, channels_out, target_h, target_w],
                "kind": kind,
                "example": example_lists,
                "asked": "design",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.DESIGN, spec, display=display),
            solution_steps=self._steps(texts, height, width, target_h, target_w, example, display),
            hints=list(texts.hints),
            misconceptions=list(
                dict.fromkeys([w.misconception for w in wrong] + texts.misconceptions)
            ),
            wrong_answers=wrong,
            answer_format=texts.answer_format,
        )

    # -----------------------------------------------------------------------------------------

    def _texts(self, kind: str, square: bool, ranges: Mapping[str, IntRange]) -> _Texts:
        """Everything that depends only on the kind of question and the template's ranges."""
        kernel, stride, dilation = ranges["kernel_size"], ranges["stride"], ranges["dilation"]
        key = (kind, square, kernel, stride, dilation)
        cache = self.__dict__.setdefault("_text_cache", {})
        texts = cache.get(key)
        if texts is None:
            texts = cache[key] = _Texts.build(kind, square, kernel, stride, dilation)
        return texts

    def _steps(
        self,
        texts: _Texts,
        height: int,
        width: int,
        target_h: int,
        target_w: int,
        example: Sequence[Layer],
        display: str,
    ) -> list[SolutionStep]:
        square = texts.square
        need = (
            f"We need {height} → {target_h}."
            if square
            else f"We need {height} → {target_h} for the height and {width} → {target_w} for "
            "the width."
        )
        steps = [SolutionStep(texts.step_one_title, f"{texts.formula}\n\n{need}")]
        if len(example) == 2:
            first, second = example
            middle_h = conv_output_size(height, *first)
            middle_w = conv_output_size(width, *first)
            middle = str(middle_h) if square else f"{middle_h}×{middle_w}"
            steps.append(
                SolutionStep(
                    f"Step 2: Layer 1, to an in-between size of {middle}",
                    "Pick a size between the layers that each layer can reach within the rules; "
                    f"here {middle}. " + _layer_reasoning(first, height, width, square),
                )
            )
            steps.append(
                SolutionStep(
                    "Step 3: Layer 2, to the target",
                    _layer_reasoning(second, middle_h, middle_w, square),
                )
            )
            check = (
                f"H: {height} → {middle_h} → {target_h}"
                if square
                else f"H: {height} → {middle_h} → {target_h}; W: {width} → {middle_w} → {target_w}"
            )
        else:
            steps.append(
                SolutionStep(
                    texts.step_two_title, _layer_reasoning(example[0], height, width, square)
                )
            )
            check = _plugged(example[0], height, "H")
            if not square:
                check += "; " + _plugged(example[0], width, "W")
        steps.append(
            SolutionStep(
                "Final answer",
                f"One valid answer: **{display}**. Other settings that follow the rules and give "
                "the same shape are accepted too.",
            )
        )
        steps.append(SolutionStep("Quick check", f"Plug it back in: {check}. [OK]"))
        return steps

    def _wrong_answers(
        self, spec: Mapping[str, Any], example: Sequence[Layer], width: int
    ) -> list[WrongAnswer]:
        """Settings a formula misconception makes look right, with the mistake named.

        Doubling every padding makes "padding counted once" give exactly the target; taking
        stride off every (undilated) kernel makes "forgot the + 1" give it. A candidate is listed
        only if torch would run it and give something else, and (for the second) if "padding
        counted once", earlier in the diagnosis order, does not claim it too: so ``check`` names
        the same misconception.
        """
        inputs, target = spec["input"], spec["target"]
        if len(example) == 1:
            return _one_layer_wrong_answers(inputs, target, example[0], width)
        (k1, s1, p1, d1), (k2, s2, p2, d2) = example
        wrong: list[WrongAnswer] = []
        if p1 or p2:
            doubled = [(k1, s1, 2 * p1, d1), (k2, s2, 2 * p2, d2)]
            if [_run(inputs[0], doubled), _run(inputs[1], doubled)] != target:
                wrong.append(WrongAnswer("padding_not_doubled", [k1, s1, 2 * p1, k2, s2, 2 * p2]))
        if k1 > s1 and k2 > s2 and d1 == d2 == 1:
            shrunk = [(k1 - s1, s1, p1, 1), (k2 - s2, s2, p2, 1)]
            got = [_run(inputs[0], shrunk), _run(inputs[1], shrunk)]
            if (
                None not in got
                and got != target
                and _first_mistake(inputs, target, shrunk, 1) is None
            ):
                wrong.append(WrongAnswer("forgot_plus_one", [k1 - s1, s1, p1, k2 - s2, s2, p2]))
        return wrong

    # -----------------------------------------------------------------------------------------

    def check(self, variant: Variant, raw_answer: str) -> CheckResult:
        spec = variant.answer.value
        parsed = parse_setting(raw_answer, spec)
        if isinstance(parsed, str):
            return CheckResult(False, False, parsed)
        layers = parsed
        names = spec["names"]
        setting = setting_text(layers, names)
        refusal = torch_refusal(spec, layers)
        if refusal:
            return CheckResult(
                False,
                True,
                f"Not quite: with {setting}, {refusal}. "
                f"{describe_misconception('design_torch_refuses')}",
                misconception="design_torch_refuses",
                normalized=setting,
            )
        square = spec["input"][0] == spec["input"][1]
        got = [run_layers(size, layers)[-1] for size in spec["input"]]
        got_text, target_text = _size_text(got, square), _size_text(spec["target"], square)
        problems = rule_breaks(spec, layers)
        if got == spec["target"]:
            if not problems:
                example = setting_text([tuple(layer) for layer in spec["example"]], names)
                also = "" if example == setting else f" (another valid answer: {example})"
                return CheckResult(
                    True,
                    True,
                    f"Correct: {setting} maps {_size_text(spec['input'], square)} to "
                    f"{target_text}{also}.",
                    normalized=setting,
                )
            return CheckResult(
                False,
                True,
                f"Not quite: {setting} gives {target_text}, the target, but "
                f"{'; '.join(problems)}. {describe_misconception('design_broke_rule')}",
                misconception="design_broke_rule",
                normalized=setting,
            )
        message = (
            f"Not quite: {setting} gives {got_text}, not {target_text} ({_working(spec, layers)})."
        )
        if problems:
            message += f" It also breaks the rules: {'; '.join(problems)}."
        misconception = diagnose(spec, layers, got)
        if misconception:
            message += f" {describe_misconception(misconception)}"
        return CheckResult(False, True, message, misconception=misconception, normalized=setting)


def _read_values(part: str, names: Sequence[str], count: int) -> list[int] | str:
    """One layer's (or, plain, all layers') values in NAMES order, or what was wrong."""
    parsed = parse_integers(part)
    if parsed.error:
        return "write the values as whole numbers"
    value = parsed.value
    if isinstance(value, dict):
        if count != 1:
            return "two layers need a ';' between them when you name the values"
        chosen: dict[str, int] = {}
        for name, number in value.items():
            canonical = ALIASES.get(name)
            if canonical is None:
                return f"'{name}' is not one of {', '.join(names)}"
            chosen[canonical] = number
        # dilation may be left out, as in nn.Conv2d, where it defaults to 1.
        missing = [name for name in names if name not in chosen and name != "dilation"]
        if missing:
            return f"missing {', '.join(missing)}"
        return [chosen.get(name, 1) for name in NAMES]
    if len(value) != len(names) * count:
        return f"expected {len(names) * count} numbers, got {len(value)}"
    layers = []
    for index in range(count):
        values = value[index * len(names) : (index + 1) * len(names)]
        layers += [*values, *[1] * (len(NAMES) - len(names))]
    return layers


def parse_setting(raw: object, spec: Mapping[str, Any]) -> list[Layer] | str:
    """The student's layers as (kernel_size, stride, padding, dilation), or a readable error."""
    names, count = spec["names"], spec["layers"]
    example = "; ".join(["3, 2, 1" if len(names) == 3 else "3, 2, 1, 2"] * count)
    if not isinstance(raw, str) or not raw.strip():
        return "Your answer is empty: type your setting in the box."
    text = raw.strip()
    parts = [part for part in _LAYER_SEPARATORS.split(text) if part.strip()]
    if len(parts) > 1 and len(parts) != count:
        return (
            f"Could not read your answer: it has {len(parts)} layers separated by ';' but "
            f"this question has {count}."
        )
    if len(parts) == 1:
        values = _read_values(parts[0], names, count)
        chunks = (
            [values[i * 4 : (i + 1) * 4] for i in range(count)]
            if isinstance(values, list)
            else values
        )
    else:
        chunks = []
        for part in parts:
            values = _read_values(part, names, 1)
            if isinstance(values, str):
                chunks = values
                break
            chunks.append(values)
    if isinstance(chunks, str):
        shown = text if len(text) <= 40 else text[:37] + "..."
        return (
            f"Could not read '{shown}' as a setting: {chunks}. Give {', '.join(names)}"
            f"{' for each layer' if count > 1 else ''}, e.g. {example}."
        )
    return [(c[0], c[1], c[2], c[3]) for c in chunks]


GENERATOR = DesignGenerator()
