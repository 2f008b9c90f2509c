"""Family 11: tuple arguments such as stride=(2, 1) and padding=(1, 0) on non-square inputs.

easy: one output dimension (height or width) of a layer with tuple stride and/or padding.
medium: the full (N, C, H, W) output of a layer with a tuple kernel_size as well.
hard: the full output when all four arguments may be tuples (dilation too, sometimes an unbatched
(C, H, W) input), or through an Inception-style factorised pair: a (1, k) conv then a (k, 1) conv.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    WrongAnswer,
    unique_wrong_answers,
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import dimension_working, formula_line, shape_text
from quizzes.misconceptions.conv import (
    HEIGHT_WIDTH_SWAPPED,
    ONE_DIMENSION_IDS,
    one_dimension_mistakes,
    one_dimension_slips,
    one_dimension_steps,
)
from quizzes.shapes import conv_output_size

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

#: A layer as drawn: ((k_h, k_w), (s_h, s_w), (p_h, p_w), (d_h, d_w), in_channels, out_channels).
Pair = tuple[int, int]
Layer = tuple[Pair, Pair, Pair, Pair, int, int]

_HEADER = "```python\nimport torch\nimport torch.nn as nn\n\n"
_SWAPPED = HEIGHT_WIDTH_SWAPPED.id
_TUPLE_RULE = "A tuple argument is (height, width): the first number acts on H, the second on W."
_ARGUMENT_NAMES = ("kernel_size", "stride", "padding", "dilation")
#: Which arguments may differ between height and width, per difficulty (the rest are ints).
_TUPLE_ARGUMENTS = {
    E: (False, True, True, False),
    M: (True, True, True, False),
    H: (True, True, True, True),
}
_ALL_TUPLES = (True, True, True, True)
_DEFAULTS = {"kernel_size": None, "stride": 1, "padding": 0, "dilation": 1}


def _text(pair: Pair) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _call(layer: Layer) -> str:
    """``nn.Conv2d(3, 8, kernel_size=(3, 5), stride=(2, 1))``: text.conv2d_call's wording, with
    a pair shown as an int when both entries agree and defaults left out."""
    kernel, stride, padding, dilation, channels_in, channels_out = layer
    text = f"nn.Conv2d({channels_in}, {channels_out}, kernel_size={_text(kernel)}"
    if stride != (1, 1):
        text += f", stride={_text(stride)}"
    if padding != (0, 0):
        text += f", padding={_text(padding)}"
    if dilation != (1, 1):
        text += f", dilation={_text(dilation)}"
    return text + ")"


Settings = list[tuple[tuple[int, int, int, int], tuple[int, int, int, int]]]


def _settings(layers: Sequence[Layer], *, is_swapped: bool = False) -> Settings:
    """Each layer's (kernel, stride, padding, dilation) along H and along W (or read backwards)."""
    result = []
    for kernel, stride, padding, dilation, _, _ in layers:
        along_h = (kernel[0], stride[0], padding[0], dilation[0])
        along_w = (kernel[1], stride[1], padding[1], dilation[1])
        result.append((along_w, along_h) if is_swapped else (along_h, along_w))
    return result


def _run(height: int, width: int, settings: Settings, mistake: Any = None) -> Pair | None:
    """(H_out, W_out) through the layers, with a one-dimension mistake applied wherever it
    changes something; None if the (mistaken) working leaves no positive size."""
    for (k_h, s_h, p_h, d_h), (k_w, s_w, p_w, d_w) in settings:
        new_height = mistake(height, k_h, s_h, p_h, d_h) if mistake is not None else None
        if new_height is None:
            new_height = (height + 2 * p_h - d_h * (k_h - 1) - 1) // s_h + 1
        new_width = mistake(width, k_w, s_w, p_w, d_w) if mistake is not None else None
        if new_width is None:
            new_width = (width + 2 * p_w - d_w * (k_w - 1) - 1) // s_w + 1
        if new_height <= 0 or new_width <= 0:
            return None
        height, width = new_height, new_width
    return height, width


def _mistaken(height: int, width: int, settings: Settings, right: Pair) -> list[tuple[str, Pair]]:
    """(misconception id, mistaken (H_out, W_out)) for every one-dimension mistake that changes
    the answer and still leaves a positive size."""
    if len(settings) != 1:
        # Each slip carries its own (H, W) through the layers; the ten step together per layer
        # and dimension (what _run does slip by slip, in four calls instead of forty).
        heights, widths = [height] * 10, [width] * 10
        failed = [False] * 10
        for along_h, along_w in settings:
            heights = one_dimension_steps(heights, *along_h)
            widths = one_dimension_steps(widths, *along_w)
            if min(heights) <= 0 or min(widths) <= 0:
                for index, (new_height, new_width) in enumerate(zip(heights, widths, strict=True)):
                    if new_height <= 0 or new_width <= 0:
                        failed[index] = True
        return [
            (identifier, (new_height, new_width))
            for identifier, new_height, new_width, has_failed in zip(
                ONE_DIMENSION_IDS, heights, widths, failed, strict=True
            )
            if not has_failed
        ]
    # One layer (most questions): no propagation, so skip _run's loop.
    along_h, along_w = settings[0]
    right_h, right_w = right
    results = []
    for identifier, wrong_h, wrong_w in zip(
        ONE_DIMENSION_IDS,
        one_dimension_slips(height, *along_h),
        one_dimension_slips(width, *along_w),
        strict=True,
    ):
        if wrong_h is None:
            if wrong_w is None:
                continue
            wrong_h = right_h
        elif wrong_w is None:
            wrong_w = right_w
        if wrong_h > 0 and wrong_w > 0:
            results.append((identifier, (wrong_h, wrong_w)))
    return results


def _propagate(
    height: int,
    width: int,
    layers: Sequence[Layer],
    mistake: Any = None,
    *,
    is_swapped: bool = False,
) -> Pair | None:
    """(H_out, W_out) after the layers, optionally with a one-dimension mistake or the tuples
    read backwards; None if the mistaken working leaves no positive size."""
    return _run(height, width, _settings(layers, is_swapped=is_swapped), mistake)


def _reading(layer: Layer, name: str = "") -> str:
    """Step 1's bullet list: what each argument means for H and for W."""
    lines = []
    for argument, pair in zip(_ARGUMENT_NAMES, layer[:4], strict=True):
        if pair[0] != pair[1]:
            lines.append(f"- `{argument}={pair}`: {pair[0]} for H, {pair[1]} for W")
        elif argument in ("kernel_size", "stride") or pair[0] != _DEFAULTS[argument]:
            lines.append(f"- `{argument}={pair[0]}`: {pair[0]} for both H and W")
    return (f"{name}\n\n" if name else "") + "\n".join(lines)


class AsymmetricGenerator(Generator):
    family = "asymmetric"
    title = "Tuple arguments on non-square inputs"
    topic = "asymmetric-conv"
    description = (
        "Predict nn.Conv2d output sizes when kernel_size, stride, padding or dilation are "
        "(height, width) tuples and the input is not square."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "input height and width (drawn separately)",
            IntRange(1, 512),
            {E: IntRange(6, 40), M: IntRange(8, 96), H: IntRange(9, 224)},
        ),
        ParameterSpec(
            "kernel_size",
            "kernel size per dimension",
            IntRange(1, 15),
            {E: IntRange(1, 5), M: IntRange(1, 7), H: IntRange(1, 7)},
        ),
        ParameterSpec(
            "stride",
            "stride per dimension",
            IntRange(1, 8),
            {E: IntRange(1, 3), M: IntRange(1, 3), H: IntRange(1, 4)},
        ),
        ParameterSpec(
            "padding",
            "padding per dimension",
            IntRange(0, 10),
            {E: IntRange(0, 2), M: IntRange(0, 3), H: IntRange(0, 4)},
        ),
        ParameterSpec(
            "dilation",
            "dilation per dimension",
            IntRange(1, 6),
            {E: IntRange(1, 1), M: IntRange(1, 1), H: IntRange(1, 3)},
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
        size = config.get("input_size")
        kernel = config.get("kernel_size")
        if size is not None and kernel is not None and size[1] < kernel[0]:
            errors.append(
                f"input_size up to {size[1]} is smaller than every kernel_size from "
                f"{kernel[0]}: no question in these ranges could run"
            )
        fixed = [
            name
            for name in ("kernel_size", "stride", "padding", "dilation")
            if name in config and config[name][0] == config[name][1]
        ]
        if len(fixed) == 4:
            errors.append(
                "kernel_size, stride, padding and dilation are all fixed to one value, so height "
                "and width can never get different settings: widen at least one of them"
            )
        return errors

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        height, width = self._draw_sizes(rng, ranges["input_size"])
        batch = ranges["batch_size"].draw(rng)
        channels = ranges["channels"]
        channels_in = channels.draw(rng)
        if difficulty is E:
            layer = self._draw_layer(rng, ranges, height, width, _TUPLE_ARGUMENTS[E], channels_in)
            return self._one_dimension(
                seed,
                difficulty,
                (batch, channels_in, height, width),
                layer,
                is_height=rng.randint(0, 1) == 1,
            )
        if difficulty is H and ranges["kernel_size"].high > 1 and rng.randint(0, 1):
            layers = self._draw_factorised(rng, ranges, height, width, channels_in)
            if layers is not None:
                return self._full_shape(
                    seed, difficulty, (batch, channels_in, height, width), layers, "factorised"
                )
        layer = self._draw_layer(
            rng, ranges, height, width, _TUPLE_ARGUMENTS[difficulty], channels_in
        )
        shape: tuple[int, ...] = (batch, channels_in, height, width)
        if difficulty is H and rng.randint(0, 2) == 0:
            shape = (channels_in, height, width)  # unbatched: Conv2d accepts (C, H, W) too
        return self._full_shape(seed, difficulty, shape, [layer], "one_layer")

    # -----------------------------------------------------------------------------------------
    # Drawing

    def _draw_sizes(self, rng: QuestionRandom, sizes: IntRange) -> Pair:
        """A non-square (H, W) whenever the range allows one."""
        height = sizes.draw(rng)
        if sizes.low == sizes.high:
            return height, height
        width = rng.randint(sizes.low, sizes.high - 1)
        return height, width + 1 if width >= height else width

    def _draw_layer(
        self,
        rng: QuestionRandom,
        ranges: Mapping[str, IntRange],
        height: int,
        width: int,
        is_tuple: tuple[bool, bool, bool, bool],
        channels_in: int,
    ) -> Layer:
        """A layer that fits both dimensions and treats them differently whenever it can."""
        kernel_range, stride_range = ranges["kernel_size"], ranges["stride"]
        padding_range, dilation_range = ranges["padding"], ranges["dilation"]
        channels_out = ranges["channels"].draw(rng)
        for attempt in range(24):
            if attempt == 12:
                is_tuple = _ALL_TUPLES  # the difficulty's arguments cannot differ in these ranges
            k_h = kernel_range.draw(rng)
            k_w = kernel_range.draw(rng) if is_tuple[0] else k_h
            s_h = stride_range.draw(rng)
            s_w = stride_range.draw(rng) if is_tuple[1] else s_h
            d_h = dilation_range.draw(rng)
            d_w = dilation_range.draw(rng) if is_tuple[3] else d_h
            # Padding beyond the kernel span only adds borders of zeros: keep it realistic.
            low, high = padding_range.low, padding_range.high
            p_h = rng.randint(low, max(low, min(high, d_h * (k_h - 1))))
            p_w = rng.randint(low, max(low, min(high, d_w * (k_w - 1)))) if is_tuple[2] else p_h
            if height + 2 * p_h < d_h * (k_h - 1) + 1 or width + 2 * p_w < d_w * (k_w - 1) + 1:
                continue
            if k_h == k_w and s_h == s_w and p_h == p_w and d_h == d_w:
                # Symmetric by chance: give the width another stride (any stride fits) rather
                # than drawing everything again.
                if is_tuple[1] and stride_range.low < stride_range.high:
                    s_w = rng.randint(stride_range.low, stride_range.high - 1)
                    s_w += s_w >= s_h
                elif attempt < 23:
                    continue
            return (k_h, k_w), (s_h, s_w), (p_h, p_w), (d_h, d_w), channels_in, channels_out
        # Ranges too tight for any kernel to fit: the smallest kernel always does.
        stride = (stride_range.low, stride_range.high)
        return (1, 1), stride, (padding_range.low,) * 2, (1, 1), channels_in, channels_out

    def _draw_factorised(
        self,
        rng: QuestionRandom,
        ranges: Mapping[str, IntRange],
        height: int,
        width: int,
        channels_in: int,
    ) -> list[Layer] | None:
        """A (1, k) conv then a (k, 1) conv, each padded (and maybe strided) along its kernel."""
        kernel_range, stride_range = ranges["kernel_size"], ranges["stride"]
        padding_range, dilation_range = ranges["padding"], ranges["dilation"]
        channels = ranges["channels"]
        middle, channels_out = channels.draw(rng), channels.draw(rng)
        low, high = padding_range.low, padding_range.high
        for _ in range(12):
            kernel = rng.randint(max(2, kernel_range.low), kernel_range.high)
            dilation = dilation_range.draw(rng)
            span = dilation * (kernel - 1)
            first_padding = rng.randint(low, max(low, min(high, span)))
            second_padding = rng.randint(low, max(low, min(high, span)))
            first_stride, second_stride = stride_range.draw(rng), stride_range.draw(rng)
            if width + 2 * first_padding < span + 1:
                continue
            # Layer 1 has kernel 1 and stride 1 along H: only its H padding (if any) changes H.
            between = conv_output_size(height, 1, 1, low, 1)
            if between + 2 * second_padding < span + 1:
                continue
            first: Layer = (
                (1, kernel),
                (1, first_stride),
                (low, first_padding),
                (1, dilation),
                channels_in,
                middle,
            )
            second: Layer = (
                (kernel, 1),
                (second_stride, 1),
                (second_padding, low),
                (dilation, 1),
                middle,
                channels_out,
            )
            return [first, second]
        return None

    # -----------------------------------------------------------------------------------------
    # Questions

    def _one_dimension(
        self,
        seed: int,
        difficulty: Difficulty,
        shape: tuple[int, int, int, int],
        layer: Layer,
        *,
        is_height: bool,
    ) -> Variant:
        batch, channels_in, height, width = shape
        kernel, stride, padding, dilation, _, channels_out = layer
        index, other = (0, 1) if is_height else (1, 0)
        name, other_name = ("height", "width") if is_height else ("width", "height")
        letter, other_letter = ("H", "W") if is_height else ("W", "H")
        size, other_size = (height, width) if is_height else (width, height)
        own = (size, kernel[index], stride[index], padding[index], dilation[index])
        out = conv_output_size(*own)
        other_out = conv_output_size(
            other_size, kernel[other], stride[other], padding[other], dilation[other]
        )
        prompt = (
            f"What is the output **{name}** of this layer?\n\n"
            f"{_HEADER}conv = {_call(layer)}\n"
            f"x = torch.randn({batch}, {channels_in}, {height}, {width})\n"
            "y = conv(x)\n```\n"
        )
        swapped_settings = (size, kernel[other], stride[other], padding[other], dilation[other])
        swapped = (
            conv_output_size(*swapped_settings)
            if size + 2 * padding[other] >= dilation[other] * (kernel[other] - 1) + 1
            else None
        )
        wrong = unique_wrong_answers(
            out,
            [(_SWAPPED, swapped), (_SWAPPED, other_out), *one_dimension_mistakes(*own)],
        )
        steps = [
            SolutionStep(
                f"Step 1: Pick the {name} entries of each argument",
                f"{_TUPLE_RULE} The input `({batch}, {channels_in}, {height}, {width})` has "
                f"{name} {size} (dim {2 + index}). For the {name}:\n\n"
                + "\n".join(
                    f"- `{argument}`: {pair[index]}"
                    for argument, pair in zip(_ARGUMENT_NAMES, layer[:4], strict=True)
                ),
            ),
            SolutionStep(
                f"Step 2: Plug the {name} into the formula",
                formula_line(dilation[index] > 1) + "\n\n" + dimension_working(letter, *own),
            ),
            SolutionStep("Final answer", f"The output {name} is **{out}**."),
            SolutionStep(
                "Quick check",
                f"The {other_name} uses the other entries and gives {other_letter}_out = "
                f"{other_out}, so `y.shape` is "
                f"`torch.Size([{batch}, {channels_out}, "
                + (f"{out}, {other_out}])`" if is_height else f"{other_out}, {out}])`")
                + ". [OK]",
            ),
        ]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "kind": "one_dimension",
                "input_shape": [batch, channels_in, height, width],
                "layers": [_layer_params(layer)],
                "asked": name,
            },
            prompt=prompt,
            answer=Answer(AnswerKind.INTEGER, out, display=str(out)),
            solution_steps=steps,
            hints=[
                f"Which entry of each tuple applies to the {name}?",
                "out = floor((in + 2·padding − dilation·(kernel_size − 1) − 1) / stride) + 1",
            ],
            misconceptions=list(dict.fromkeys(w.misconception for w in wrong)),
            wrong_answers=wrong,
            answer_format="a whole number, e.g. 14",
        )

    def _full_shape(
        self,
        seed: int,
        difficulty: Difficulty,
        shape: tuple[int, ...],
        layers: list[Layer],
        kind: str,
    ) -> Variant:
        *leading, channels_in, height, width = shape
        settings = _settings(layers)
        result = _run(height, width, settings)
        assert result is not None  # the layers were drawn to fit
        out_h, out_w = result
        channels_out = layers[-1][5]
        key = (*leading, channels_out, out_h, out_w)
        is_pair = len(layers) == 2
        names = ("conv1", "conv2") if is_pair else ("conv",)
        code = (
            f"conv1 = {_call(layers[0])}\nconv2 = {_call(layers[1])}\n"
            if is_pair
            else f"conv = {_call(layers[0])}\n"
        )
        forward = "y = conv2(conv1(x))" if is_pair else "y = conv(x)"
        prompt = (
            "What is the shape of `y`?\n\n"
            f"{_HEADER}{code}"
            f"x = torch.randn({', '.join(map(str, shape))})\n"
            f"{forward}\n```\n"
        )
        # Wrong answers, most telling first; the first mistake giving a value names it.
        swapped = _run(height, width, [(along_w, along_h) for along_h, along_w in settings])
        pairs: list[tuple[str, Pair | None]] = [(_SWAPPED, swapped), (_SWAPPED, (out_w, out_h))]
        pairs += _mistaken(height, width, settings, result)
        seen = {(out_h, out_w)}
        wrong = []
        misconceptions = {}
        for identifier, pair in pairs:
            if pair is not None and pair not in seen:
                seen.add(pair)
                wrong.append(WrongAnswer(identifier, (*leading, channels_out, *pair)))
                misconceptions[identifier] = None
        if layers[-1][4] != channels_out:
            wrong.append(WrongAnswer("channels_swapped", (*leading, layers[-1][4], out_h, out_w)))
            misconceptions["channels_swapped"] = None

        steps = [
            SolutionStep(
                "Step 1: Read each tuple as (height, width)",
                _TUPLE_RULE
                + "\n\n"
                + "\n\n".join(
                    _reading(layer, f"`{n}`:" if is_pair else "")
                    for n, layer in zip(names, layers, strict=True)
                ),
            ),
            SolutionStep(
                "Step 2: Use the Conv2d output-size formula, once per dimension",
                formula_line(any(layer[3] != (1, 1) for layer in layers)),
            ),
        ]
        size_h, size_w = height, width
        for number, (n, (along_h, along_w)) in enumerate(zip(names, settings, strict=True), 3):
            working_h = dimension_working("H", size_h, *along_h)
            working_w = dimension_working("W", size_w, *along_w)
            size_h = conv_output_size(size_h, *along_h)
            size_w = conv_output_size(size_w, *along_w)
            title = f"Step {number}: " + (f"`{n}`, H and W" if is_pair else "Height and width")
            steps.append(SolutionStep(title, f"{working_h}\n\n{working_w}"))
        batch_text = (
            f"N = {leading[0]} passes through unchanged; "
            if leading
            else "The input is unbatched (C, H, W), so the output is too; "
        )
        steps.append(
            SolutionStep(
                "Final answer",
                f"{batch_text}the channels become out_channels = {channels_out}. "
                f"`y.shape` is **{shape_text(key)}**.",
            )
        )
        check = f"`print(y.shape)` shows `torch.Size([{', '.join(map(str, key))}])`."
        if swapped is not None and swapped != (out_h, out_w):
            check += (
                f" Reading the tuples as (width, height) would give {shape_text(swapped)} for "
                f"(H, W) instead of {shape_text((out_h, out_w))}. [OK]"
            )
        else:
            check += " [OK]"
        steps.append(SolutionStep("Quick check", check))
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params={
                "kind": kind,
                "input_shape": list(shape),
                "layers": [_layer_params(layer) for layer in layers],
                "asked": "shape",
            },
            prompt=prompt,
            answer=Answer(AnswerKind.SHAPE, key, display=shape_text(key)),
            solution_steps=steps,
            hints=[
                "Which number of a tuple such as stride=(2, 1) acts on the height?",
                "Work out H and W separately, each with its own kernel, stride and padding.",
            ]
            + (["The second layer starts from the first layer's output."] if is_pair else []),
            misconceptions=list(misconceptions),
            wrong_answers=wrong,
            answer_format=(
                "a shape like (1, 6, 28, 28)" if leading else "a shape like (6, 28, 28)"
            ),
        )


def _layer_params(layer: Layer) -> dict[str, Any]:
    kernel, stride, padding, dilation, channels_in, channels_out = layer
    return {
        "in_channels": channels_in,
        "out_channels": channels_out,
        "kernel_size": list(kernel),
        "stride": list(stride),
        "padding": list(padding),
        "dilation": list(dilation),
    }


GENERATOR = AsymmetricGenerator()
