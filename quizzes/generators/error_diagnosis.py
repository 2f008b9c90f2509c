"""Family 5: does this layer run on this input, and if not, what does torch say?

easy: one nn.Conv2d with int arguments on a batched input: a kernel larger than the input, a
    channel mismatch, padding='same' with a stride, or a layer that simply runs.
medium: padding in play: padding that rescues a kernel larger than the input, padding larger than
    half the kernel (runs for Conv2d, raises for pooling), dilated kernels that no longer fit,
    reflect padding not smaller than the input, a 2D (H, W) image.
hard: tuple arguments on non-square inputs, two problems at once (which check fires first),
    unbatched (C, H, W) inputs, replicate/circular padding limits, padding='same' with a kernel
    larger than the input, groups that do not divide the channels, pooling windows that do not fit.

The outcome is never stored by hand: ``simulate`` replays torch 2.13's checks in torch's order and
renders its exact message from the params, and the property test runs the real layer to prove it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
)
from quizzes.generators.randomness import QuestionRandom
from quizzes.generators.text import argument, conv2d_call, dimension_working, shape_text
from quizzes.misconceptions import errors as mistakes
from quizzes.misconceptions.conv import one_dimension_mistakes
from quizzes.shapes import as_pair, conv_output_size, pool_output_size

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

RUNTIME, VALUE = "RuntimeError", "ValueError"

# Which check failed (or None): the stable id tests and analytics use.
KERNEL, CHANNELS, SAME_STRIDE, REFLECT, CIRCULAR = (
    "kernel_too_large",
    "channel_mismatch",
    "same_with_stride",
    "reflect_too_large",
    "circular_wraps",
)
POOL_PADDING, POOL_TOO_SMALL, GROUPS, INPUT_RANK = (
    "pool_padding_too_large",
    "pool_output_too_small",
    "groups_not_divisible",
    "input_rank",
)

SHORT_TEXT = {
    KERNEL: mistakes.KERNEL_TOO_LARGE_TEXT,
    SAME_STRIDE: mistakes.SAME_STRIDE_TEXT,
    REFLECT: mistakes.REFLECT_TEXT,
    CIRCULAR: mistakes.CIRCULAR_TEXT,
    POOL_PADDING: mistakes.POOL_PADDING_TEXT,
    POOL_TOO_SMALL: mistakes.POOL_TOO_SMALL_TEXT,
    INPUT_RANK: mistakes.INPUT_DIMENSIONS_TEXT,
}

CODE_HEAD = "```python\nimport torch\nimport torch.nn as nn\n\n"
QUESTION = "What happens when this code runs?\n\n"
ORDER_HINT = (
    "Go through torch's checks in order: the constructor's arguments, the padding mode, the "
    "input's rank and channels, then whether the kernel fits the padded input."
)


class Outcome:
    """What torch does: raises ``raises`` with ``message`` (failed check ``check``), or runs."""

    __slots__ = ("check", "message", "raises", "shape", "steps")

    def __init__(self) -> None:
        self.check: str | None = None
        self.raises: str | None = None
        self.message = ""
        self.shape: tuple[int, ...] | None = None
        self.steps: list[SolutionStep] = []

    def fail(self, check: str, raises: str, message: str) -> Outcome:
        self.check, self.raises, self.message = check, raises, message
        return self

    def step(self, title: str, body: str) -> None:
        self.steps.append(SolutionStep(f"Step {len(self.steps) + 1}: {title}", body))


def _pair(value: Any) -> tuple[int, int]:
    return as_pair(value)  # as_pair indexes a JSON list exactly as it does a tuple


def _dims(shape: tuple[int, ...] | list[int]) -> str:
    return ", ".join(map(str, shape))


def simulate(layer: str, kwargs: Mapping[str, Any], input_shape: list[int]) -> Outcome:
    """Replay torch 2.13: build ``nn.<layer>(**kwargs)`` and call it on ``input_shape``."""
    if layer == "Conv2d":
        return _simulate_conv(kwargs, input_shape)
    return _simulate_pool(layer, kwargs, input_shape)


def _simulate_conv(kwargs: Mapping[str, Any], input_shape: list[int]) -> Outcome:
    outcome = Outcome()
    in_channels, out_channels = kwargs["in_channels"], kwargs["out_channels"]
    k_h, k_w = _pair(kwargs["kernel_size"])
    s_h, s_w = _pair(kwargs.get("stride", 1))
    d_h, d_w = _pair(kwargs.get("dilation", 1))
    groups = kwargs.get("groups", 1)
    mode = kwargs.get("padding_mode", "zeros")
    padding = kwargs.get("padding", 0)

    # 1. The constructor (_ConvNd.__init__), before x is ever looked at.
    if in_channels % groups or out_channels % groups:
        which, count = (
            ("in_channels", in_channels) if in_channels % groups else ("out_channels", out_channels)
        )
        outcome.step(
            "Build the layer",
            f"nn.Conv2d checks its arguments when it is built. groups={groups} splits the "
            f"channels into {groups} equal groups, so in_channels and out_channels must both be "
            f"divisible by {groups}. {which} = {count} is not ({count} / {groups} = "
            f"{count / groups:g}), so the constructor raises ValueError and x is never used.",
        )
        return outcome.fail(GROUPS, VALUE, f"{which} must be divisible by groups")
    if padding == "same" and (s_h != 1 or s_w != 1):
        outcome.step(
            "Build the layer",
            f"nn.Conv2d checks its arguments when it is built: padding='same' is only allowed "
            f"with stride 1, and here stride={argument(kwargs['stride'])}. The constructor "
            "raises ValueError before x is ever used.",
        )
        return outcome.fail(
            SAME_STRIDE, VALUE, "padding='same' is not supported for strided convolutions"
        )
    constructor_note = "The constructor accepts these arguments"
    if groups > 1:
        constructor_note += f" (groups={groups} divides both {in_channels} and {out_channels})"
    elif padding == "same":
        constructor_note += " (padding='same' is allowed because the stride is 1)"
    outcome.step("Build the layer", constructor_note + ", so the layer is built.")

    # 2. Non-zero padding modes run F.pad first, with their own limits.
    rank = len(input_shape)
    seen = list(input_shape)
    if mode != "zeros":
        p_h, p_w = _pair(padding)
        height, width = seen[-2], seen[-1]
        title = f"Apply padding_mode='{mode}'"
        if mode == "reflect":
            rule = (
                "Reflect padding mirrors pixels from inside x, so each padding must be smaller "
                "than the size it pads (padding < size); torch checks the width first."
            )
            if p_w >= width:
                outcome.step(title, f"{rule}\n\nWidth: padding {p_w} < W = {width}? No.")
                return outcome.fail(REFLECT, RUNTIME, _reflect_message(4, p_w, rank - 1, seen))
            if p_h >= height:
                outcome.step(
                    title,
                    f"{rule}\n\nWidth: padding {p_w} < W = {width} ✓. "
                    f"Height: padding {p_h} < H = {height}? No.",
                )
                return outcome.fail(REFLECT, RUNTIME, _reflect_message(6, p_h, rank - 2, seen))
            verdict = f"Width: {p_w} < {width} ✓. Height: {p_h} < {height} ✓."
        elif mode == "circular":
            rule = (
                "Circular padding wraps x around, at most once: each padding must be at most "
                "the size it pads (padding ≤ size)."
            )
            if p_w > width or p_h > height:
                outcome.step(
                    title,
                    f"{rule}\n\nHeight: {p_h} ≤ {height}? {'Yes' if p_h <= height else 'No'}. "
                    f"Width: {p_w} ≤ {width}? {'Yes' if p_w <= width else 'No'}.",
                )
                return outcome.fail(CIRCULAR, RUNTIME, CIRCULAR_MESSAGE)
            verdict = f"Height: {p_h} ≤ {height} ✓. Width: {p_w} ≤ {width} ✓."
        else:
            rule = "Replicate padding repeats the edge pixel, which works for any amount."
            verdict = f"Padding {p_h} (height) and {p_w} (width) are fine."
        seen[-2] += 2 * p_h
        seen[-1] += 2 * p_w
        outcome.step(
            title,
            f"{rule}\n\n{verdict} x is padded to {shape_text(seen)} and the convolution "
            "itself then uses padding 0.",
        )
        conv_pads = (0, 0)
        same = False
    else:
        same = padding == "same"
        conv_pads = (0, 0) if padding == "valid" or same else _pair(padding)

    # 3. F.conv2d: the input's rank, then its channels, then the kernel fit.
    if rank not in (3, 4):
        outcome.step(
            "Check the input",
            f"x has shape {shape_text(input_shape)}: {rank} dimensions. nn.Conv2d takes "
            "(N, C, H, W) or an unbatched (C, H, W), so torch raises RuntimeError.",
        )
        return outcome.fail(
            INPUT_RANK,
            RUNTIME,
            "Expected 3D (unbatched) or 4D (batched) input "
            f"to conv2d, but got input of size: [{_dims(input_shape)}]",
        )
    if rank == 3:
        seen.insert(0, 1)
        rank_note = (
            f"x has shape {shape_text(input_shape)}: 3D, so torch treats it as one unbatched "
            f"(C, H, W) sample (internally {shape_text(seen)})"
        )
    else:
        rank_note = f"x has shape {shape_text(input_shape)}: 4D (N, C, H, W)"
    channels = seen[1]
    group_note = f" ({groups} groups of {in_channels // groups})" if groups > 1 else ""
    if channels != in_channels:
        outcome.step(
            "Check the channels",
            f"{rank_note}, with C = {channels}. The layer was built for in_channels = "
            f"{in_channels}{group_note}: {channels} ≠ {in_channels}, so the forward pass raises "
            "RuntimeError before computing anything.",
        )
        return outcome.fail(
            CHANNELS,
            RUNTIME,
            f"Given groups={groups}, weight of size [{out_channels}, {in_channels // groups}, "
            f"{k_h}, {k_w}], expected input[{_dims(seen)}] to have {in_channels} channels, but "
            f"got {channels} channels instead",
        )
    outcome.step(
        "Check the channels",
        f"{rank_note}, with C = {channels} = in_channels{group_note} ✓.",
    )
    height, width = seen[2], seen[3]
    span_h, span_w = d_h * (k_h - 1) + 1, d_w * (k_w - 1) + 1
    if same:
        total_h, total_w = span_h - 1, span_w - 1
        outcome.step(
            "Check that the kernel fits",
            f"padding='same' pads each dimension by dilation·(kernel_size − 1) in total "
            f"({total_h} rows and {total_w} columns, split as evenly as possible), so the padded "
            f"input ({height + total_h} × {width + total_w}) always fits the kernel span "
            f"({span_h} × {span_w}) ✓, whatever the input size.",
        )
        out_h, out_w = height, width
        working = f"With padding='same' and stride 1, H_out = H = {height} and W_out = W = {width}."
    else:
        padded_h, padded_w = height + 2 * conv_pads[0], width + 2 * conv_pads[1]
        fit_body = (
            f"Padded input: {_padded_text('H', height, conv_pads[0])} and "
            f"{_padded_text('W', width, conv_pads[1])}. Kernel span: "
            f"{_span_text(k_h, d_h)} × {_span_text(k_w, d_w)}."
        )
        if padded_h < span_h or padded_w < span_w:
            failing = "height" if padded_h < span_h else "width"
            outcome.step(
                "Check that the kernel fits",
                f"{fit_body} The kernel is larger than the padded input in {failing}, so not "
                "even one window fits: torch raises RuntimeError instead of returning an empty "
                "tensor.",
            )
            return outcome.fail(
                KERNEL,
                RUNTIME,
                f"Calculated padded input size per channel: ({padded_h} x {padded_w}). Kernel "
                f"size: ({span_h} x {span_w}). Kernel size can't be greater than actual input "
                "size",
            )
        outcome.step("Check that the kernel fits", fit_body + " Both fit ✓.")
        out_h = conv_output_size(height, k_h, s_h, conv_pads[0], d_h)
        out_w = conv_output_size(width, k_w, s_w, conv_pads[1], d_w)
        working = dimension_working("H", height, k_h, s_h, conv_pads[0], d_h)
        if (height, k_h, s_h, conv_pads[0], d_h) == (width, k_w, s_w, conv_pads[1], d_w):
            working += f"\n\nW has the same size and settings, so W_out = {out_w}."
        else:
            working += "\n\n" + dimension_working("W", width, k_w, s_w, conv_pads[1], d_w)
    shape = (out_channels, out_h, out_w) if rank == 3 else (seen[0], out_channels, out_h, out_w)
    outcome.step(
        "Work out the output shape",
        f"{working}\n\nThe channel dimension becomes out_channels = {out_channels}"
        + (", and an unbatched input gives an unbatched output." if rank == 3 else "."),
    )
    outcome.shape = shape
    return outcome


CIRCULAR_MESSAGE = "Padding value causes wrapping around more than once."


def _reflect_message(argument_number: int, pad: int, dimension: int, seen: list[int]) -> str:
    return (
        f"Argument #{argument_number}: Padding size should be less than the corresponding input "
        f"dimension, but got: padding ({pad}, {pad}) at dimension {dimension} of input "
        f"[{_dims(seen)}]"
    )


def _padded_text(name: str, size: int, pad: int) -> str:
    return f"{name} {size} + 2·{pad} = {size + 2 * pad}" if pad else f"{name} {size}"


def _span_text(kernel: int, dilation: int) -> str:
    if dilation == 1:
        return str(kernel)
    return f"({dilation}·({kernel} − 1) + 1 = {dilation * (kernel - 1) + 1})"


def _simulate_pool(layer: str, kwargs: Mapping[str, Any], input_shape: list[int]) -> Outcome:
    outcome = Outcome()
    k_h, k_w = _pair(kwargs["kernel_size"])
    stride = kwargs.get("stride")
    s_h, s_w = _pair(stride) if stride is not None else (k_h, k_w)
    p_h, p_w = _pair(kwargs.get("padding", 0))
    rule = f"{layer} requires padding ≤ kernel_size // 2 in each dimension (height first)."
    for pad, kernel, name in ((p_h, k_h, "height"), (p_w, k_w, "width")):
        if pad > kernel // 2:
            outcome.step(
                "Check the padding limit",
                f"{rule}\n\n{name.capitalize()}: padding {pad} ≤ {kernel} // 2 = {kernel // 2}? "
                f"No, so the forward pass raises RuntimeError.",
            )
            return outcome.fail(
                POOL_PADDING,
                RUNTIME,
                f"pad should be at most half of effective kernel size, but got pad={pad}, "
                f"kernel_size={kernel} and dilation=1",
            )
    outcome.step(
        "Check the padding limit",
        f"{rule}\n\nHeight: {p_h} ≤ {k_h // 2} ✓. Width: {p_w} ≤ {k_w // 2} ✓.",
    )
    height, width = input_shape[-2], input_shape[-1]
    channels = input_shape[-3]
    out_h = pool_output_size(height, k_h, s_h, p_h)
    out_w = pool_output_size(width, k_w, s_w, p_w)
    default_note = "" if stride is not None else " (stride defaults to kernel_size)"
    working = (
        f"H_out = ⌊({height} + 2·{p_h} − {k_h}) / {s_h}⌋ + 1 = {out_h}; "
        f"W_out = ⌊({width} + 2·{p_w} − {k_w}) / {s_w}⌋ + 1 = {out_w}{default_note}."
    )
    if out_h < 1 or out_w < 1:
        outcome.step(
            "Work out the output size",
            f"{working} A pooling window must fit at least once, so torch raises RuntimeError.",
        )
        return outcome.fail(
            POOL_TOO_SMALL,
            RUNTIME,
            f"Given input size: ({channels}x{height}x{width}). Calculated output size: "
            f"({channels}x{out_h}x{out_w}). Output size is too small",
        )
    outcome.step(
        "Work out the output shape",
        f"{working} Pooling keeps N and C.",
    )
    outcome.shape = (*input_shape[:-2], out_h, out_w)
    return outcome


# ---------------------------------------------------------------------------------------------
# Scenarios: params aimed at one lesson. The outcome always comes from ``simulate``.


class ErrorDiagnosisGenerator(Generator):
    family = "error_diagnosis"
    title = "Does it run? Diagnose the error"
    topic = "error-diagnosis"
    description = (
        "Given a Conv2d or pooling layer and an input, decide whether it runs (and the output "
        "shape) or which error torch raises, with torch's exact message."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "height/width of inputs that are not deliberately tiny",
            IntRange(8, 64),
            {E: IntRange(8, 32), M: IntRange(8, 48), H: IntRange(8, 64)},
        ),
        ParameterSpec(
            "channels",
            "in/out channels",
            IntRange(1, 64),
            {E: IntRange(1, 16), M: IntRange(1, 32), H: IntRange(1, 64)},
        ),
        ParameterSpec(
            "batch_size",
            "batch size N",
            IntRange(1, 16),
            {E: IntRange(1, 4), M: IntRange(1, 8), H: IntRange(1, 16)},
        ),
    )

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        scenario = rng.choice(_SCENARIOS[difficulty])
        layer, kwargs, input_shape, name = scenario(rng, ranges)
        return self._render(rng, seed, difficulty, name, layer, kwargs, input_shape)

    def _render(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        scenario: str,
        layer: str,
        kwargs: dict[str, Any],
        input_shape: list[int],
    ) -> Variant:
        outcome = simulate(layer, kwargs, input_shape)
        params = {
            "layer": layer,
            "kwargs": kwargs,
            "input_shape": input_shape,
            "scenario": scenario,
        }
        if outcome.raises is None:
            assert outcome.shape is not None
            correct_text = "Runs: output " + shape_text(outcome.shape)
        else:
            correct_text = "Raises " + _short_text(outcome, kwargs, input_shape)
        distractors = _pick_distractors(correct_text, _distractors(params, outcome))
        choices = build_choices(rng, correct_text, distractors)
        label = correct_label(choices)
        if layer == "Conv2d":
            call = _conv_call(kwargs)
            name = "conv"
        else:
            call = _pool_call(layer, kwargs)
            name = "pool"
        prompt = (
            f"{QUESTION}{CODE_HEAD}{name} = {call}\nx = torch.randn({_dims(input_shape)})\n"
            f"y = {name}(x)\nprint(y.shape)\n```\n"
        )
        if outcome.raises is None:
            display = shape_text(outcome.shape or ())
            final = f"{correct_text} → **Option {label}**"
            quick = f"`print(y.shape)` shows `torch.Size([{_dims(outcome.shape or ())}])`."
        else:
            display = f"{outcome.raises}: {outcome.message}"
            final = (
                f"{correct_text} → **Option {label}**\n\nThe traceback ends with:\n\n"
                f"```text\n{display}\n```"
            )
            quick = (
                f"Run it: torch stops at the {_STAGE[outcome.check]} with `{outcome.raises}`. "
                + _fix(outcome.check or "", kwargs, input_shape)
            )
        note = _NOTES.get(scenario)
        if note:
            quick += " " + note
        steps = outcome.steps
        steps.append(SolutionStep("Final answer", final))
        steps.append(SolutionStep("Quick check", quick))
        misconceptions = [c.misconception for c in choices if c.misconception]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params=params,
            prompt=prompt,
            answer=Answer(AnswerKind.CHOICE, label, raises=outcome.raises, display=display),
            choices=choices,
            solution_steps=steps,
            hints=[ORDER_HINT, _HINTS[scenario]],
            misconceptions=misconceptions,
            answer_format="the letter of one option, e.g. B",
        )


_STAGE = {
    GROUPS: "constructor, before x is used,",
    SAME_STRIDE: "constructor, before x is used,",
    REFLECT: "padding step (F.pad), before the convolution,",
    CIRCULAR: "padding step (F.pad), before the convolution,",
    INPUT_RANK: "input check",
    CHANNELS: "channel check",
    KERNEL: "kernel-size check",
    POOL_PADDING: "pooling padding check",
    POOL_TOO_SMALL: "pooling output-size check",
}


def _fix(check: str, kwargs: Mapping[str, Any], input_shape: list[int]) -> str:
    """One concrete way to make the code run."""
    if check == CHANNELS:
        return (
            f"To fix it, give x {kwargs['in_channels']} channels, or build the layer with "
            f"in_channels={_channels_of(input_shape)}."
        )
    if check == SAME_STRIDE:
        k_h, k_w = _pair(kwargs["kernel_size"])
        if k_h == k_w and k_h % 2:
            return (
                f"To downsample while padding the border, use padding={k_h // 2} "
                f"(= (kernel_size − 1) / 2) with stride={argument(kwargs['stride'])}."
            )
        return "Use an explicit padding instead of 'same' when the stride is above 1."
    return _FIXES[check]


_FIXES = {
    KERNEL: "To fix it, the padded input must be at least as large as the kernel span: use a "
    "larger input, more padding, or a smaller kernel_size or dilation.",
    REFLECT: "To fix it, keep each padding below the size it pads, or use "
    "padding_mode='replicate' or 'zeros', which have no such limit.",
    CIRCULAR: "To fix it, keep each padding at most the size it pads.",
    INPUT_RANK: "To fix it, add the missing dimensions: x.unsqueeze(0) gives (1, H, W), and "
    "x[None, None] gives (1, 1, H, W).",
    GROUPS: "To fix it, choose groups that divide both in_channels and out_channels.",
    POOL_PADDING: "To fix it, keep the pooling padding at most kernel_size // 2.",
    POOL_TOO_SMALL: "To fix it, use a smaller pooling kernel or a larger input.",
}


def _short_text(outcome: Outcome, kwargs: Mapping[str, Any], input_shape: list[int]) -> str:
    if outcome.check == CHANNELS:
        return mistakes.channel_text(
            mistakes.conv_seen_shape({"kwargs": kwargs, "input_shape": input_shape}),
            kwargs["in_channels"],
            _channels_of(input_shape),
        )
    if outcome.check == GROUPS:
        return f"{VALUE}: {outcome.message}"
    return SHORT_TEXT[outcome.check or ""]


def _channels_of(input_shape: list[int]) -> int:
    return input_shape[-3]


def _conv_call(kwargs: Mapping[str, Any]) -> str:
    extra = []
    if kwargs.get("groups", 1) != 1:
        extra.append(f"groups={kwargs['groups']}")
    if kwargs.get("padding_mode", "zeros") != "zeros":
        extra.append(f"padding_mode='{kwargs['padding_mode']}'")
    return conv2d_call(
        kwargs["in_channels"],
        kwargs["out_channels"],
        kwargs["kernel_size"],
        kwargs.get("stride", 1),
        kwargs.get("padding", 0),
        kwargs.get("dilation", 1),
        extra=", ".join(extra),
    )


def _pool_call(layer: str, kwargs: Mapping[str, Any]) -> str:
    parts = [f"kernel_size={argument(kwargs['kernel_size'])}"]
    if kwargs.get("stride") is not None:
        parts.append(f"stride={argument(kwargs['stride'])}")
    if kwargs.get("padding", 0) != 0:
        parts.append(f"padding={argument(kwargs['padding'])}")
    return f"nn.{layer}({', '.join(parts)})"


def _runs_text(shape: tuple[int, ...]) -> str:
    return f"Runs: output ({_dims(shape)})"


def _belief(misconception: Any, params: Mapping[str, Any]) -> tuple[str, str] | None:
    """The option a catalogue misconception predicts for these params, or None."""
    value = misconception.wrong_answer(params)
    if value is None:
        return None
    text = _runs_text(value) if isinstance(value, tuple) else "Raises " + value
    return text, misconception.id


def _formula_slips(params: Mapping[str, Any], outcome: Outcome) -> Iterator[tuple[str, str]]:
    """Wrong output shapes from the conv formula mistakes (conv.py), height and width together."""
    kwargs = params["kwargs"]
    shape = outcome.shape
    if shape is None or params["layer"] != "Conv2d" or isinstance(kwargs.get("padding"), str):
        return
    input_shape = params["input_shape"]
    seen_h, seen_w = input_shape[-2], input_shape[-1]
    k_h, k_w = _pair(kwargs["kernel_size"])
    s_h, s_w = _pair(kwargs.get("stride", 1))
    p_h, p_w = _pair(kwargs.get("padding", 0))
    d_h, d_w = _pair(kwargs.get("dilation", 1))
    heights = dict(one_dimension_mistakes(seen_h, k_h, s_h, p_h, d_h))
    if (seen_w, k_w, s_w, p_w, d_w) == (seen_h, k_h, s_h, p_h, d_h):
        for misconception, wrong in heights.items():
            yield _runs_text((*shape[:-2], wrong, wrong)), misconception
        return
    widths = dict(one_dimension_mistakes(seen_w, k_w, s_w, p_w, d_w))
    for misconception in dict.fromkeys([*heights, *widths]):
        wrong = (
            *shape[:-2],
            heights.get(misconception, shape[-2]),
            widths.get(misconception, shape[-1]),
        )
        yield _runs_text(wrong), misconception


def _distractors(params: Mapping[str, Any], outcome: Outcome) -> Iterator[tuple[str, str] | None]:
    """Candidate options, most tempting first; produced lazily (most questions need only a few)."""
    scenario = params["scenario"]
    if scenario == "reflect_before_channels":
        # The other problem: torch would report it only if the padding step passed.
        kwargs = params["kwargs"]
        seen = mistakes.conv_seen_shape(params)
        yield (
            "Raises " + mistakes.channel_text(seen, kwargs["in_channels"], seen[1]),
            mistakes.WRONG_CHECK_ORDER.id,
        )
    for misconception in _BELIEFS.get(scenario, ()):
        yield _belief(misconception, params)
    for text, misconception in _EXTRA.get(scenario, ()):
        yield "Raises " + text, misconception
    if scenario == "groups_not_divisible":
        # The other divisibility error: a later check if it also fails, a wrong one otherwise.
        kwargs = params["kwargs"]
        out_fails = kwargs["out_channels"] % kwargs["groups"] != 0
        yield (
            "Raises " + mistakes.GROUPS_OUT_TEXT,
            mistakes.WRONG_CHECK_ORDER.id if out_fails else mistakes.WRONG_ERROR_REASON.id,
        )
        yield "Raises " + mistakes.GROUPS_IN_TEXT, mistakes.WRONG_ERROR_REASON.id
    if outcome.shape is not None:
        yield from _formula_slips(params, outcome)
    if params["layer"] == "Conv2d":
        yield _belief(mistakes.CHANNELS_CHECKED_AGAINST_OUT, params)
        yield _belief(mistakes.FIT_IGNORES_PADDING, params)
        yield _belief(mistakes.OVERSIZED_KERNEL_GIVES_EMPTY, params)
        yield _belief(mistakes.ASSUMED_SAME_SIZE, params)
    # Always-available fillers: errors from checks that do not fail here.
    for check in _FILLERS[params["layer"] == "Conv2d"]:
        if check != outcome.check:
            yield "Raises " + SHORT_TEXT[check], mistakes.WRONG_ERROR_REASON.id


def _pick_distractors(
    correct_text: str, candidates: Iterator[tuple[str, str] | None], count: int = 3
) -> list[tuple[str, str]]:
    seen = {correct_text}
    picked = []
    for candidate in candidates:
        if candidate is None or candidate[0] in seen:
            continue
        seen.add(candidate[0])
        picked.append(candidate)
        if len(picked) == count:
            break
    return picked


_FILLERS = {
    True: (KERNEL, SAME_STRIDE, REFLECT, POOL_PADDING),
    False: (POOL_PADDING, POOL_TOO_SMALL, KERNEL),
}


def _draw_conv_basics(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> tuple[int, int, int]:
    return (
        ranges["batch_size"].draw(rng),
        ranges["channels"].draw(rng),
        ranges["channels"].draw(rng),
    )


def _conv_kwargs(
    in_channels: int,
    out_channels: int,
    kernel: Any,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    **extra: Any,
) -> dict[str, Any]:
    """Constructor kwargs with torch's defaults left out, so params read like the code."""
    kwargs: dict[str, Any] = {
        "in_channels": in_channels,
        "out_channels": out_channels,
        "kernel_size": kernel,
    }
    if stride != 1:
        kwargs["stride"] = stride
    if padding != 0:
        kwargs["padding"] = padding
    if dilation != 1:
        kwargs["dilation"] = dilation
    kwargs.update(extra)
    return kwargs


Scenario = tuple[str, dict[str, Any], list[int], str]


def _runs_plain(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.randint(1, 7)
    stride = rng.randint(1, 2)
    padding = rng.randint(0, kernel // 2)
    size = ranges["input_size"].draw(rng)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, stride, padding)
    return "Conv2d", kwargs, [batch, in_channels, size, size], "runs"


def _kernel_too_large(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.randint(3, 7)
    stride = rng.randint(1, 2)
    size = rng.randint(1, kernel - 1)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, stride)
    return "Conv2d", kwargs, [batch, in_channels, size, size], "kernel_too_large"


def _channel_mismatch(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    channels = rng.choice((out_channels, out_channels, 1, 3, 2 * in_channels))
    if channels == in_channels:
        channels = in_channels + 1
    kernel = rng.randint(1, 5)
    padding = rng.randint(0, kernel // 2)
    size = ranges["input_size"].draw(rng)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, 1, padding)
    return "Conv2d", kwargs, [batch, channels, size, size], "channel_mismatch"


def _same_with_stride(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.choice((3, 5, 7))
    stride = rng.randint(2, 3)
    size = ranges["input_size"].draw(rng)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, stride, "same")
    return "Conv2d", kwargs, [batch, in_channels, size, size], "same_with_stride"


def _large_padding_runs(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.randint(1, 5)
    padding = rng.randint(kernel // 2 + 1, kernel // 2 + 3)
    stride = rng.randint(1, 3)
    size = ranges["input_size"].draw(rng)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, stride, padding)
    return "Conv2d", kwargs, [batch, in_channels, size, size], "large_padding_runs"


def _padding_rescues(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.randint(3, 7)
    padding = rng.randint(1, 3)
    size = rng.randint(max(1, kernel - 2 * padding), kernel - 1)
    stride = rng.randint(1, 2)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, stride, padding)
    return "Conv2d", kwargs, [batch, in_channels, size, size], "padding_rescues"


def _dilated_too_large(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.randint(2, 5)
    dilation = rng.randint(2, 4)
    span = dilation * (kernel - 1) + 1
    padding = rng.randint(0, 2)
    if span - 2 * padding - 1 < 1:
        padding = 0
    # Big enough for the undilated kernel, too small for the dilated one.
    size = rng.randint(
        max(1, min(kernel - 2 * padding, span - 2 * padding - 1)), span - 2 * padding - 1
    )
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, 1, padding, dilation)
    return "Conv2d", kwargs, [batch, in_channels, size, size], "dilated_too_large"


def _reflect_too_large(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.choice((3, 3, 5))
    padding = rng.randint(2, 5)
    size = rng.randint(max(1, (kernel - 2 * padding)), padding)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, 1, padding, padding_mode="reflect")
    return "Conv2d", kwargs, [batch, in_channels, size, size], "reflect_too_large"


def _reflect_fits(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.choice((3, 3, 5))
    size = rng.randint(3, 8)
    padding = size - 1
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, 1, padding, padding_mode="reflect")
    return "Conv2d", kwargs, [batch, in_channels, size, size], "reflect_fits"


def _pool_padding(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    layer = rng.choice(("MaxPool2d", "AvgPool2d"))
    kernel = rng.randint(2, 5)
    padding = rng.randint(kernel // 2 + 1, kernel // 2 + 2)
    kwargs: dict[str, Any] = {"kernel_size": kernel}
    if rng.randint(0, 2) == 0:
        kwargs["stride"] = rng.randint(1, kernel)
    kwargs["padding"] = padding
    size = ranges["input_size"].draw(rng)
    shape = [ranges["batch_size"].draw(rng), ranges["channels"].draw(rng), size, size]
    return layer, kwargs, shape, "pool_padding_too_large"


def _image_without_channels(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    out_channels = ranges["channels"].draw(rng)
    kernel = rng.randint(1, 5)
    padding = rng.randint(0, kernel // 2)
    height = ranges["input_size"].draw(rng)
    width = ranges["input_size"].draw(rng)
    kwargs = _conv_kwargs(1, out_channels, kernel, 1, padding)
    return "Conv2d", kwargs, [height, width], "image_without_channels"


def _tuple_one_dimension(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    k_small, k_large = rng.randint(1, 3), rng.randint(5, 9)
    p_small, p_large = rng.randint(0, k_small // 2), rng.randint(0, (k_large - 2) // 2)
    fits = rng.randint(0, 2) == 0
    # The large kernel acts on a short dimension: it fails unless padding makes up the gap.
    short = (
        (k_large - 2 * p_large)
        if fits
        else rng.randint(max(1, k_large - 2 * p_large - 3), k_large - 2 * p_large - 1)
    )
    short = max(1, short)
    long = ranges["input_size"].draw(rng)
    if rng.randint(0, 1):
        kernel, padding, shape = [k_large, k_small], [p_large, p_small], [short, long]
    else:
        kernel, padding, shape = [k_small, k_large], [p_small, p_large], [long, short]
    stride = [rng.randint(1, 2), rng.randint(1, 2)]
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, stride, padding)
    return "Conv2d", kwargs, [batch, in_channels, *shape], "tuple_one_dimension"


def _channels_before_kernel(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    channels = out_channels if out_channels != in_channels else in_channels + 1
    kernel = rng.randint(3, 7)
    size = rng.randint(1, kernel - 1)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel)
    return "Conv2d", kwargs, [batch, channels, size, size], "channels_before_kernel"


def _reflect_before_channels(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    channels = out_channels if out_channels != in_channels else in_channels + 1
    padding = rng.randint(2, 4)
    size = rng.randint(2, padding)
    kwargs = _conv_kwargs(in_channels, out_channels, 3, 1, padding, padding_mode="reflect")
    return "Conv2d", kwargs, [batch, channels, size, size], "reflect_before_channels"


def _unbatched_runs(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    _, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.randint(1, 7)
    stride = rng.randint(1, 2)
    padding = rng.randint(0, kernel // 2)
    height, width = ranges["input_size"].draw(rng), ranges["input_size"].draw(rng)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, stride, padding)
    return "Conv2d", kwargs, [in_channels, height, width], "unbatched_runs"


def _unbatched_mismatch(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    _, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    channels = rng.choice((out_channels, 1, 3))
    if channels == in_channels:
        channels = in_channels + 2
    kernel = rng.randint(1, 5)
    height, width = ranges["input_size"].draw(rng), ranges["input_size"].draw(rng)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel)
    return "Conv2d", kwargs, [channels, height, width], "unbatched_channel_mismatch"


def _replicate_runs(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    size = rng.randint(2, 6)
    padding = rng.randint(size, size + 3)
    kernel = rng.choice((3, 5))
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, 1, padding, padding_mode="replicate")
    return "Conv2d", kwargs, [batch, in_channels, size, size], "replicate_runs"


def _circular(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    size = rng.randint(2, 6)
    padding = size + rng.randint(0, 2)  # = size runs, > size wraps twice
    kernel = rng.choice((3, 5))
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, 1, padding, padding_mode="circular")
    return "Conv2d", kwargs, [batch, in_channels, size, size], "circular"


def _same_large_kernel(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    kernel = rng.randint(4, 9)
    dilation = rng.randint(1, 2)
    size = rng.randint(1, kernel - 1)
    width = ranges["input_size"].draw(rng) if rng.randint(0, 1) else size
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, 1, "same", dilation)
    return "Conv2d", kwargs, [batch, in_channels, size, width], "same_large_kernel"


def _groups_not_divisible(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    groups = rng.randint(2, 4)
    if rng.randint(0, 1):
        # in_channels divides, out_channels does not: torch checks in_channels first.
        in_channels = groups * max(1, in_channels // groups)
        out_channels = groups * max(1, out_channels // groups) + rng.randint(1, groups - 1)
    elif in_channels % groups == 0:
        in_channels += rng.randint(1, groups - 1)
    kernel = rng.choice((1, 3, 5))
    size = ranges["input_size"].draw(rng)
    kwargs = _conv_kwargs(in_channels, out_channels, kernel, 1, kernel // 2, groups=groups)
    return "Conv2d", kwargs, [batch, in_channels, size, size], "groups_not_divisible"


def _pool_too_small(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    layer = rng.choice(("MaxPool2d", "AvgPool2d"))
    kernel = rng.randint(3, 6)
    padding = rng.randint(0, 1) if kernel > 3 else 0
    size = rng.randint(1, kernel - 2 * padding - 1)
    width = ranges["input_size"].draw(rng) if rng.randint(0, 1) else size
    kwargs: dict[str, Any] = {"kernel_size": kernel}
    if padding:
        kwargs["padding"] = padding
    shape = [ranges["batch_size"].draw(rng), ranges["channels"].draw(rng), size, width]
    return layer, kwargs, shape, "pool_output_too_small"


def _reflect_tuple(rng: QuestionRandom, ranges: Mapping[str, IntRange]) -> Scenario:
    batch, in_channels, out_channels = _draw_conv_basics(rng, ranges)
    height = rng.randint(2, 6)
    width = ranges["input_size"].draw(rng)
    p_h = rng.randint(height, height + 2)  # too much for the height
    p_w = rng.randint(1, 3)  # fine for the (longer) width, which torch checks first
    kwargs = _conv_kwargs(in_channels, out_channels, 3, 1, [p_h, p_w], padding_mode="reflect")
    return "Conv2d", kwargs, [batch, in_channels, height, width], "reflect_tuple"


_SCENARIOS = {
    E: (_runs_plain, _kernel_too_large, _channel_mismatch, _same_with_stride),
    M: (
        _large_padding_runs,
        _padding_rescues,
        _dilated_too_large,
        _reflect_too_large,
        _reflect_fits,
        _pool_padding,
        _image_without_channels,
    ),
    H: (
        _tuple_one_dimension,
        _channels_before_kernel,
        _reflect_before_channels,
        _unbatched_runs,
        _unbatched_mismatch,
        _replicate_runs,
        _circular,
        _same_large_kernel,
        _groups_not_divisible,
        _pool_too_small,
        _reflect_tuple,
    ),
}

# Per scenario: catalogue misconceptions whose prediction makes a tempting distractor, in order.
_BELIEFS = {
    "runs": (mistakes.CHANNELS_CHECKED_AGAINST_OUT,),
    "kernel_too_large": (
        mistakes.OVERSIZED_KERNEL_GIVES_EMPTY,
        mistakes.KERNEL_SHRINKS_TO_FIT,
        mistakes.CHANNELS_CHECKED_AGAINST_OUT,
    ),
    "channel_mismatch": (mistakes.CHANNELS_NOT_CHECKED, mistakes.ASSUMED_SAME_SIZE),
    "same_with_stride": (mistakes.SAME_WITH_STRIDE, mistakes.ASSUMED_SAME_SIZE),
    "large_padding_runs": (mistakes.CONV_PADDING_LIMIT,),
    "padding_rescues": (mistakes.FIT_IGNORES_PADDING, mistakes.OVERSIZED_KERNEL_GIVES_EMPTY),
    "dilated_too_large": (mistakes.KERNEL_SHRINKS_TO_FIT,),
    "reflect_too_large": (mistakes.PADDING_MODE_NO_LIMIT, mistakes.FIT_IGNORES_PADDING),
    "reflect_fits": (mistakes.REFLECT_LIMIT_MISJUDGED, mistakes.CONV_PADDING_LIMIT),
    "pool_padding_too_large": (mistakes.POOL_PADDING_LIKE_CONV,),
    "image_without_channels": (mistakes.MISSING_CHANNEL_DIMENSION,),
    "tuple_one_dimension": (mistakes.FIT_IGNORES_PADDING, mistakes.OVERSIZED_KERNEL_GIVES_EMPTY),
    "channels_before_kernel": (mistakes.OVERSIZED_KERNEL_GIVES_EMPTY,),
    "reflect_before_channels": (mistakes.PADDING_MODE_NO_LIMIT,),
    "unbatched_runs": (mistakes.BATCH_DIMENSION_REQUIRED,),
    "unbatched_channel_mismatch": (
        mistakes.CHANNELS_NOT_CHECKED,
        mistakes.BATCH_DIMENSION_REQUIRED,
    ),
    "replicate_runs": (mistakes.REPLICATE_LIMITED_LIKE_REFLECT, mistakes.CONV_PADDING_LIMIT),
    "circular": (mistakes.PADDING_MODE_NO_LIMIT, mistakes.REFLECT_LIMIT_MISJUDGED),
    "same_large_kernel": (mistakes.FIT_IGNORES_PADDING,),
    "groups_not_divisible": (mistakes.GROUPS_NOT_CHECKED,),
    "pool_output_too_small": (
        mistakes.OVERSIZED_KERNEL_GIVES_EMPTY,
        mistakes.KERNEL_SHRINKS_TO_FIT,
    ),
    "reflect_tuple": (mistakes.PADDING_MODE_NO_LIMIT,),
}

# Fixed extra options: (text, misconception id).
_EXTRA: dict[str, tuple[tuple[str, str], ...]] = {
    "channels_before_kernel": ((mistakes.KERNEL_TOO_LARGE_TEXT, mistakes.WRONG_CHECK_ORDER.id),),
    "circular": ((mistakes.REFLECT_TEXT, mistakes.REFLECT_LIMIT_MISJUDGED.id),),
    "replicate_runs": ((mistakes.CIRCULAR_TEXT, mistakes.REPLICATE_LIMITED_LIKE_REFLECT.id),),
    "same_large_kernel": ((mistakes.SAME_STRIDE_TEXT, mistakes.WRONG_ERROR_REASON.id),),
    "pool_output_too_small": ((mistakes.KERNEL_TOO_LARGE_TEXT, mistakes.WRONG_ERROR_REASON.id),),
}

_HINTS = {
    "runs": "Check the channels and the kernel fit; if both pass, use the output-size formula.",
    "kernel_too_large": "Compare the kernel with the (padded) input size in each dimension.",
    "channel_mismatch": "Which dimension of x holds the channels, and what does the layer expect?",
    "same_with_stride": "Is every stride allowed with padding='same'?",
    "large_padding_runs": "Which layers limit padding to half the kernel size?",
    "padding_rescues": "Does the kernel have to fit the input, or the padded input?",
    "dilated_too_large": "How many input pixels does a dilated kernel span?",
    "reflect_too_large": "Reflect padding copies pixels from inside the input: are there enough?",
    "reflect_fits": "How large can reflect padding be for a dimension of this size?",
    "pool_padding_too_large": "Pooling layers limit their padding: to what?",
    "image_without_channels": "How many dimensions does x have?",
    "tuple_one_dimension": "Check height and width separately: a tuple is (height, width).",
    "channels_before_kernel": "Two things may be wrong: which does torch check first?",
    "reflect_before_channels": "Two things may be wrong: when does the padding mode act?",
    "unbatched_runs": "Which input ranks does nn.Conv2d accept?",
    "unbatched_channel_mismatch": "For a 3D input, which dimension holds the channels?",
    "replicate_runs": "How many input pixels does replicate padding need?",
    "circular": "Circular padding wraps the input around: how many times may it wrap?",
    "same_large_kernel": "How much padding does padding='same' add for this kernel?",
    "groups_not_divisible": "Can the channels be split into that many equal groups?",
    "pool_output_too_small": "Does one pooling window fit in the padded input?",
    "reflect_tuple": "padding=(a, b) pads height by a and width by b: check each separately.",
}

_NOTES = {
    "large_padding_runs": (
        "Some tutorials call a layer like this an error because the padding is more than half "
        "the kernel; torch runs it (that limit exists only for pooling layers)."
    ),
    "kernel_too_large": (
        "The output-size formula alone gives 0 or less here; torch does not return an empty "
        "tensor, it raises."
    ),
    "same_with_stride": "The error comes from building the layer: x is never used.",
    "reflect_fits": "Reflect padding may go up to size − 1: one less than the input size.",
    "circular": "Circular padding may go up to the input size itself (it wraps around once).",
    "replicate_runs": "Only reflect and circular padding are limited by the input size.",
    "unbatched_channel_mismatch": (
        "The message shows the input with a batch dimension of 1 added: that is how torch "
        "handles an unbatched (C, H, W) input internally."
    ),
}


GENERATOR = ErrorDiagnosisGenerator()
