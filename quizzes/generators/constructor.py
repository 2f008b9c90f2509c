"""Family 4: which ``nn.Conv2d(...)`` call builds the layer a spec describes?

easy: in/out channels, a square kernel, stride and padding, written in words.
medium: adds dilation, bias=False or groups, and calls written positionally.
hard: non-square tuple arguments ((height, width) kernel, stride, padding), or a spec given as
    shapes only: "x is (8, 3, 64, 48) and y must be (8, 32, 32, 24)".

Every option is stored in ``params["options"]`` as the ``args`` and ``kwargs`` of the call it
shows, so a test can build each one with torch. ``bind`` replays Python's argument binding and
nn.Conv2d's constructor checks (exact TypeError/ValueError texts) to keep exactly one option right.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import chain
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
from quizzes.misconceptions import concepts as mistakes
from quizzes.misconceptions.conv import (
    CHANNELS_SWAPPED,
    FORGOT_PLUS_ONE,
    HEIGHT_WIDTH_SWAPPED,
    IGNORED_DILATION,
    IGNORED_PADDING,
    IGNORED_STRIDE,
    KERNEL_NOT_SUBTRACTED,
    KERNEL_STRIDE_SWAPPED,
    PADDING_NOT_DOUBLED,
)

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

SIGNATURE = (
    "in_channels",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "bias",
    "padding_mode",
    "device",
    "dtype",
)
_POSITION = {name: index for index, name in enumerate(SIGNATURE)}
SIGNATURE_LINE = (
    "`nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, "
    "groups=1, bias=True, padding_mode='zeros')`"
)
# How many leading arguments the call writes positionally.
KEYWORDS, CHANNELS, KERNEL, POSITIONAL = 0, 2, 3, 5

Call = tuple[list[Any], dict[str, Any]]


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def _compact(pair: list[int]) -> Any:
    """[2, 2] -> 2 and [0, 0] -> 0: torch reads an int as the same value for H and W."""
    return pair[0] if pair[0] == pair[1] else pair


def _value(value: Any) -> str:
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is list or kind is tuple:
        return f"({value[0]}, {value[1]})" if len(value) == 2 else str(tuple(value))
    if kind is str:
        return repr(value)
    return str(value)


def render(args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    """The call as the student sees it (tuples shown as ``(3, 5)``), without backticks."""
    # This renders every candidate call of every question: ints (most arguments) and
    # (height, width) lists are formatted in place rather than through _value.
    parts = [str(value) if value.__class__ is int else _value(value) for value in args]
    for name, value in kwargs.items():
        kind = value.__class__
        if kind is int:
            parts.append(f"{name}={value}")
        elif kind is list and len(value) == 2:
            parts.append(f"{name}=({value[0]}, {value[1]})")
        else:
            parts.append(f"{name}={_value(value)}")
    return f"nn.Conv2d({', '.join(parts)})"


def bind(args: Sequence[Any], kwargs: Mapping[str, Any]) -> tuple[str, str] | dict[str, Any]:
    """What ``nn.Conv2d(*args, **kwargs)`` does in torch 2.13: an error, or the layer's settings.

    Errors are (type name, exact message). Settings use torch's attribute forms: pairs for
    kernel_size/stride/padding/dilation ('same'/'valid' stay strings) and ``bias`` as a bool.
    """
    count = len(args)
    if count > len(SIGNATURE):
        return "TypeError", (
            f"Conv2d.__init__() takes from 4 to 12 positional arguments but {count + 1} were given"
        )
    bound = dict(zip(SIGNATURE, args, strict=False)) if count else {}
    # bind runs for every candidate option of every question: one set comparison checks every
    # keyword name, and the loop that names an offending keyword runs only on an error.
    if not kwargs.keys() <= _POSITION.keys() or (count and not kwargs.keys().isdisjoint(bound)):
        for name in kwargs:
            if name not in _POSITION:
                return "TypeError", f"Conv2d.__init__() got an unexpected keyword argument '{name}'"
            if name in bound:
                return "TypeError", f"Conv2d.__init__() got multiple values for argument '{name}'"
    bound.update(kwargs)
    if count < 3 and (
        "in_channels" not in bound or "out_channels" not in bound or "kernel_size" not in bound
    ):
        missing = [f"'{name}'" for name in SIGNATURE[:3] if name not in bound]
        listed = (
            missing[0]
            if len(missing) == 1
            else (
                f"{missing[0]} and {missing[1]}"
                if len(missing) == 2
                else f"{missing[0]}, {missing[1]}, and {missing[2]}"
            )
        )
        plural = "argument" if len(missing) == 1 else "arguments"
        return "TypeError", (
            f"Conv2d.__init__() missing {len(missing)} required positional {plural}: {listed}"
        )
    get = bound.get
    in_channels, out_channels, groups = (
        bound["in_channels"],
        bound["out_channels"],
        get("groups", 1),
    )
    if in_channels % groups:
        return "ValueError", "in_channels must be divisible by groups"
    if out_channels % groups:
        return "ValueError", "out_channels must be divisible by groups"
    # _pair inlined, for the same reason.
    stride = get("stride", 1)
    stride = (stride, stride) if isinstance(stride, int) else (int(stride[0]), int(stride[1]))
    padding = get("padding", 0)
    if padding == "same" and stride != (1, 1):
        return "ValueError", "padding='same' is not supported for strided convolutions"
    if isinstance(padding, int):
        padding = (padding, padding)
    elif not isinstance(padding, str):
        padding = (int(padding[0]), int(padding[1]))
    kernel = bound["kernel_size"]
    dilation = get("dilation", 1)
    return {
        "in_channels": in_channels,
        "out_channels": out_channels,
        "kernel_size": (kernel, kernel)
        if isinstance(kernel, int)
        else (int(kernel[0]), int(kernel[1])),
        "stride": stride,
        "padding": padding,
        "dilation": (dilation, dilation)
        if isinstance(dilation, int)
        else (int(dilation[0]), int(dilation[1])),
        "groups": groups,
        "bias": bool(get("bias", True)),
    }


def layer_repr(settings: Mapping[str, Any]) -> str:
    """What ``print(conv)`` shows for these settings (Conv2d.extra_repr)."""
    text = (
        f"Conv2d({settings['in_channels']}, {settings['out_channels']}, "
        f"kernel_size={settings['kernel_size']}, stride={settings['stride']}"
    )
    padding = settings["padding"]
    if isinstance(padding, str) or padding != (0, 0):
        text += f", padding={padding}"
    if settings["dilation"] != (1, 1):
        text += f", dilation={settings['dilation']}"
    if settings["groups"] != 1:
        text += f", groups={settings['groups']}"
    if not settings["bias"]:
        text += ", bias=False"
    return text + ")"


def forward_shape(settings: Mapping[str, Any], input_shape: Sequence[int]) -> tuple[int, ...] | str:
    """The output shape of a built layer on ``input_shape``, or why the forward pass fails."""
    channels = input_shape[1]
    if channels != settings["in_channels"]:
        return (
            f"raises RuntimeError: x has {channels} channels but the layer expects "
            f"{settings['in_channels']}"
        )
    (k_h, k_w), (s_h, s_w) = settings["kernel_size"], settings["stride"]
    (p_h, p_w), (d_h, d_w) = settings["padding"], settings["dilation"]
    height, width = input_shape[2], input_shape[3]
    if height + 2 * p_h < d_h * (k_h - 1) + 1 or width + 2 * p_w < d_w * (k_w - 1) + 1:
        return "raises RuntimeError: the kernel is larger than the padded input"
    return (  # conv_output_size per dimension, inline: every shape-question option comes here
        input_shape[0],
        settings["out_channels"],
        (height + 2 * p_h - d_h * (k_h - 1) - 1) // s_h + 1,
        (width + 2 * p_w - d_w * (k_w - 1) - 1) // s_w + 1,
    )


def styled(kwargs: Mapping[str, Any], style: int) -> Call:
    """Write the leading canonical arguments positionally, up to ``style`` of them."""
    rest = dict(kwargs)
    if style == CHANNELS and "in_channels" in rest and "out_channels" in rest:
        # the commonest style, written out: every candidate call of a question is styled
        return [rest.pop("in_channels"), rest.pop("out_channels")], rest
    args: list[Any] = []
    for name in SIGNATURE[:style]:
        if name in rest:
            args.append(rest.pop(name))
        elif style == POSITIONAL and name in ("stride", "padding"):
            args.append(1 if name == "stride" else 0)
        else:
            break
    return args, rest


class ConstructorGenerator(Generator):
    family = "constructor"
    title = "Write the nn.Conv2d call"
    topic = "conv-constructor"
    description = (
        "Pick the nn.Conv2d(...) call that builds a described layer: argument names, their "
        "order, tuple arguments, and calls that must map one given shape to another."
    )
    parameters = (
        ParameterSpec(
            "channels",
            "in/out channels",
            IntRange(1, 512),
            {E: IntRange(1, 64), M: IntRange(1, 128), H: IntRange(1, 256)},
        ),
        ParameterSpec(
            "kernel_size",
            "kernel size",
            IntRange(1, 11),
            {E: IntRange(1, 7), M: IntRange(1, 7), H: IntRange(1, 7)},
        ),
        ParameterSpec(
            "stride",
            "stride",
            IntRange(1, 4),
            {E: IntRange(1, 2), M: IntRange(1, 3), H: IntRange(1, 3)},
        ),
        ParameterSpec(
            "input_size",
            "input height/width (hard shape specs)",
            IntRange(8, 512),
            {E: IntRange(16, 64), M: IntRange(16, 128), H: IntRange(16, 224)},
        ),
        ParameterSpec(
            "batch_size",
            "batch size N (hard shape specs)",
            IntRange(1, 256),
            {E: IntRange(1, 8), M: IntRange(1, 16), H: IntRange(1, 64)},
        ),
    )

    def validate_config(self, config: Mapping[str, Any]) -> list[str]:
        errors = super().validate_config(config)
        if errors:
            return errors
        size = config.get("input_size")
        kernel = config.get("kernel_size")
        if size is not None and kernel is not None and size[0] < kernel[1]:
            errors.append(
                f"input_size from {size[0]} is smaller than kernel_size up to {kernel[1]}: a "
                "shape spec could ask for a layer that cannot run"
            )
        return errors

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        if difficulty is H and rng.randint(0, 1):
            return self._shape_spec(rng, seed, difficulty, ranges)
        return self._described_spec(rng, seed, difficulty, ranges)

    # -- a spec in words ------------------------------------------------------------------------

    def _described_spec(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        in_channels = ranges["channels"].draw(rng)
        out_channels = ranges["channels"].draw(rng)
        kernel_range, stride_range = ranges["kernel_size"], ranges["stride"]
        kernel: Any = kernel_range.draw(rng)
        stride: Any = stride_range.draw(rng)
        padding: Any = rng.randint(0, kernel // 2 + (difficulty is not E))
        spec: dict[str, Any] = {
            "in_channels": in_channels,
            "out_channels": out_channels,
            "kernel_size": kernel,
        }
        if difficulty is H:
            # Non-square: (height, width) tuples that differ, on kernel, stride and padding.
            kernel = [kernel, kernel_range.draw(rng)]
            if kernel[0] == kernel[1]:
                kernel[1] = kernel[0] + 2 if kernel[0] <= 9 else kernel[0] - 2
            stride = [stride, stride_range.draw(rng)]
            if stride[0] == stride[1]:
                stride[1] = 1 if stride[0] > 1 else 2
            padding = _compact([rng.randint(0, kernel[0] // 2), rng.randint(0, kernel[1] // 2)])
            spec["kernel_size"] = kernel
        extra = None
        if difficulty is M:
            extra = rng.choice(("dilation", "bias", "groups"))
            if extra == "groups":
                groups = rng.choice((2, 4, in_channels))
                per_group = max(1, in_channels // groups)
                spec["in_channels"] = in_channels = groups * per_group
                spec["out_channels"] = out_channels = groups * max(1, out_channels // groups)
        if stride != 1:
            spec["stride"] = stride
        if padding != 0:
            spec["padding"] = padding
        if extra == "dilation":
            spec["dilation"] = rng.randint(2, 3)
        elif extra == "groups":
            spec["groups"] = groups
        elif extra == "bias":
            spec["bias"] = False
        style = rng.choice(_STYLES[difficulty])
        key_call = styled(spec, style)
        settings = bind(*key_call)
        assert isinstance(settings, dict)
        candidates = _described_distractors(spec, style, difficulty)
        rng.shuffle(candidates)
        # Always-available fallbacks (TypeErrors), after the shuffled, more telling ones.
        fallbacks: list[Candidate] = [
            (
                lambda: styled(
                    mistakes.renamed(spec, "kernel_size", "size")[1], min(style, CHANNELS)
                ),
                mistakes.KERNEL_KEYWORD.id,
            ),
            (lambda: mistakes.CHANNEL_KEYWORDS.wrong_answer(spec), mistakes.CHANNEL_KEYWORDS.id),
        ]
        return self._finish(
            rng,
            seed,
            difficulty,
            spec,
            key_call,
            settings,
            candidates,
            fallbacks,
            prompt=_described_prompt(spec, difficulty),
            input_shape=None,
        )

    # -- a spec as shapes -----------------------------------------------------------------------

    def _shape_spec(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        batch = ranges["batch_size"].draw(rng)
        in_channels = ranges["channels"].draw(rng)
        out_channels = ranges["channels"].draw(rng)
        if out_channels == in_channels:
            out_channels = in_channels * 2
        height, width = ranges["input_size"].draw(rng), ranges["input_size"].draw(rng)
        if height == width:
            width = max(ranges["input_size"].low, width - rng.randint(1, 16))
            if width == height:
                width = height + 8
        kernel = [ranges["kernel_size"].draw(rng), ranges["kernel_size"].draw(rng)]
        stride = [ranges["stride"].draw(rng), ranges["stride"].draw(rng)]
        padding = [rng.randint(0, kernel[0] // 2), rng.randint(0, kernel[1] // 2)]
        spec: dict[str, Any] = {"in_channels": in_channels, "out_channels": out_channels}
        spec["kernel_size"] = _compact(kernel)
        if stride != [1, 1]:
            spec["stride"] = _compact(stride)
        if padding != [0, 0]:
            spec["padding"] = _compact(padding)
        input_shape = [batch, in_channels, height, width]
        key_call = styled(spec, CHANNELS)
        settings = bind(*key_call)
        assert isinstance(settings, dict)
        output = forward_shape(settings, input_shape)
        assert isinstance(output, tuple)
        candidates, fallbacks = _shape_distractors(spec)
        rng.shuffle(candidates)
        prompt = (
            "Which layer turns `x` into a `y` of the shape printed below?\n\n"
            "```python\nimport torch\nimport torch.nn as nn\n\n"
            f"x = torch.randn({', '.join(map(str, input_shape))})\n"
            "conv = ...  # which option?\n"
            "y = conv(x)\n"
            f"print(y.shape)  # torch.Size([{', '.join(map(str, output))}])\n```\n"
        )
        return self._finish(
            rng,
            seed,
            difficulty,
            spec,
            key_call,
            settings,
            candidates,
            fallbacks,
            prompt=prompt,
            input_shape=input_shape,
            output_shape=output,
        )

    # -- shared ---------------------------------------------------------------------------------

    def _finish(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        spec: dict[str, Any],
        key_call: Call,
        settings: dict[str, Any],
        candidates: list[Candidate],
        fallbacks: list[Candidate],
        *,
        prompt: str,
        input_shape: list[int] | None,
        output_shape: tuple[int, ...] | None = None,
    ) -> Variant:
        key_text = f"`{render(*key_call)}`"
        seen = {key_text}
        picked: list[tuple[str, str]] = []
        calls = {key_text: key_call}
        results: dict[str, Any] = {key_text: settings}
        for build_call, misconception in chain(candidates, fallbacks):
            call = build_call()
            if call is None:
                continue
            text = f"`{render(*call)}`"
            if text in seen:
                continue
            result = bind(*call)
            if input_shape is not None and isinstance(result, dict):
                result = forward_shape(result, input_shape)
                if result == output_shape:
                    continue  # also right: not a distractor
            elif result == settings:
                continue
            seen.add(text)
            picked.append((text, misconception))
            calls[text] = call
            results[text] = result
            if len(picked) == 3:
                break
        choices = build_choices(rng, key_text, picked)
        label = correct_label(choices)
        options = {}
        verdicts = []
        for choice in choices:
            args, kwargs = calls[choice.text]
            options[choice.label] = {"args": list(args), "kwargs": dict(kwargs)}
            verdicts.append(
                _verdict(
                    choice.label, choice.is_correct, results[choice.text], settings, output_shape
                )
            )
        steps = [SolutionStep("Step 1: Recall the signature", _SIGNATURE_STEP)]
        if input_shape is None:
            steps.append(SolutionStep("Step 2: Map the spec to arguments", _mapping(spec)))
        else:
            assert output_shape is not None
            steps.append(
                SolutionStep(
                    "Step 2: Read the channels from the shapes",
                    f"in_channels must be x.shape[1] = {input_shape[1]} and out_channels is "
                    f"y.shape[1] = {output_shape[1]}; the batch size {input_shape[0]} passes "
                    f"through. H goes {input_shape[2]} → {output_shape[2]} and W goes "
                    f"{input_shape[3]} → {output_shape[3]}: check each option's kernel_size, "
                    "stride and padding with ⌊(in + 2·padding − kernel_size) / stride⌋ + 1.",
                )
            )
        steps.append(SolutionStep("Step 3: Check every option", "\n".join(verdicts)))
        steps.append(SolutionStep("Final answer", f"{key_text} → **Option {label}**"))
        quick = f"`print(conv)` shows `{layer_repr(settings)}`."
        if output_shape is not None:
            quick += f" `y.shape` is `torch.Size([{', '.join(map(str, output_shape))}])`. [OK]"
        else:
            quick += " [OK]"
        steps.append(SolutionStep("Quick check", quick))
        params: dict[str, Any] = {"spec": spec, "options": options}
        if input_shape is not None:
            params["input_shape"] = input_shape
            params["output_shape"] = list(output_shape or ())
        misconceptions = [choice.misconception for choice in choices if choice.misconception]
        return Variant(
            family=self.family,
            seed=seed,
            difficulty=difficulty,
            params=params,
            prompt=prompt,
            answer=Answer(AnswerKind.CHOICE, label, display=key_text[1:-1]),
            choices=choices,
            solution_steps=steps,
            hints=_hints(spec, input_shape is not None),
            misconceptions=misconceptions,
            answer_format="the letter of one option, e.g. B",
        )


_STYLES = {
    E: (CHANNELS, CHANNELS, KEYWORDS, KERNEL),
    M: (CHANNELS, KEYWORDS, KERNEL, POSITIONAL),
    H: (CHANNELS, KEYWORDS),
}

_SIGNATURE_STEP = (
    f"{SIGNATURE_LINE}\n\nThe first three can be positional; in that order the fourth and "
    "fifth numbers are stride and padding. Keyword names must be spelled exactly: there is no "
    "`kernel=`, `pad=`, `filters=` or `strides=`, and an unknown keyword raises TypeError. An "
    "int applies to height and width alike; a tuple is (height, width)."
)


def _describe_pair(value: Any, unit: str, plural: str) -> str:
    if isinstance(value, list):
        return f"{value[0]} {plural if value[0] != 1 else unit} (height), {value[1]} (width)"
    return f"{value} {plural if value != 1 else unit}"


def _described_prompt(spec: Mapping[str, Any], difficulty: Difficulty) -> str:
    kernel = spec["kernel_size"]
    kernel_text = (
        f"{kernel[0]}×{kernel[1]} (height {kernel[0]}, width {kernel[1]})"
        if isinstance(kernel, list)
        else f"{kernel}×{kernel}"
    )
    lines = [
        f"- input channels: {spec['in_channels']}",
        f"- filters (output channels): {spec['out_channels']}",
        f"- kernel: {kernel_text}",
        f"- stride: {_describe_pair(spec.get('stride', 1), 'pixel', 'pixels')}",
    ]
    padding = spec.get("padding", 0)
    lines.append(
        "- padding: none"
        if padding == 0
        else f"- padding: {_describe_pair(padding, 'pixel', 'pixels')} on each side"
    )
    if "dilation" in spec:
        lines.append(f"- dilation: {spec['dilation']} (gaps between the kernel's taps)")
    if "groups" in spec:
        groups = spec["groups"]
        lines.append(
            f"- groups: {groups} (each filter sees {spec['in_channels'] // groups} of the "
            f"{spec['in_channels']} input channels)"
        )
    if spec.get("bias", True) is False:
        lines.append("- no bias term (a BatchNorm2d follows)")
    return (
        "Which call builds a convolution layer with exactly this configuration?\n\n"
        + "\n".join(lines)
        + "\n\n```python\nimport torch.nn as nn\n\nconv = ...  # which option?\n```\n"
    )


def _mapping(spec: Mapping[str, Any]) -> str:
    parts = [
        f"in_channels = {spec['in_channels']}",
        f"out_channels = {spec['out_channels']} (the number of filters)",
        f"kernel_size = {_value(spec['kernel_size'])}",
        f"stride = {_value(spec.get('stride', 1))}",
        f"padding = {_value(spec.get('padding', 0))}",
    ]
    if "dilation" in spec:
        parts.append(f"dilation = {spec['dilation']}")
    if "groups" in spec:
        parts.append(f"groups = {spec['groups']}")
    if "bias" in spec:
        parts.append("bias = False")
    return "; ".join(parts) + "."


def _verdict(
    label: str,
    is_correct: bool,
    result: Any,
    settings: Mapping[str, Any],
    output_shape: tuple[int, ...] | None,
) -> str:
    if is_correct:
        if output_shape is not None:
            return f"- **{label}** gives `{_value(output_shape)}` ✓"
        return f"- **{label}** matches every item of the spec ✓"
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], str):
        return f"- **{label}** raises `{result[0]}: {result[1]}`"
    if isinstance(result, str):
        return f"- **{label}** {result}"
    if isinstance(result, tuple):
        return f"- **{label}** gives `{_value(result)}`, not `{_value(output_shape or ())}`"
    # settings hold ints, int pairs (tuples print as "(3, 3)"), bools and 'same'/'valid'
    differences = [
        f"{name}={value!r} (wanted {settings[name]!r})"
        for name, value in result.items()
        if value != settings[name]
    ]
    return f"- **{label}** builds a different layer: {', '.join(differences)}"


def _hints(spec: Mapping[str, Any], is_shape: bool) -> list[str]:
    hints = ["Check the keyword names letter by letter against nn.Conv2d's signature."]
    if is_shape:
        hints.append("in_channels comes from x.shape[1]; out_channels is y.shape[1].")
        hints.append("Work out H_out and W_out for each option with the output-size formula.")
    else:
        hints.append(
            "In a positional call, the fourth number is the stride, the fifth the padding."
        )
    if isinstance(spec["kernel_size"], list):
        hints.append("A tuple argument is (height, width).")
    return hints


def _with(spec: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """The spec with some arguments changed (None removes one), torch's keyword order kept."""
    merged = {**spec, **changes}
    if not changes.keys() <= spec.keys():  # a new keyword: put it in its place
        return {name: merged[name] for name in SIGNATURE if merged.get(name) is not None}
    if None in changes.values():
        return {name: value for name, value in merged.items() if value is not None}
    return merged


Candidate = tuple[Callable[[], Call | None], str]


def _described_distractors(
    spec: Mapping[str, Any], style: int, difficulty: Difficulty
) -> list[Candidate]:
    """Candidate wrong calls (a thunk building the call, misconception id), lazily built: a
    question needs three, and most candidates are never looked at."""

    def same_style(kwargs: Mapping[str, Any] | None) -> Call | None:
        return None if kwargs is None else styled(kwargs, style)

    def keyword_call(call: Call | None) -> Call | None:
        # Wrong keywords must be keywords; keep the key's positional channels for realism.
        if call is None:
            return None
        return styled(call[1], min(style, CHANNELS)) if style else call

    def wrong(misconception: Any) -> Call | None:
        call = misconception.wrong_answer(spec)
        return None if call is None else same_style(call[1])

    candidates: list[Candidate] = [
        (
            lambda: keyword_call(mistakes.KERNEL_KEYWORD.wrong_answer(spec)),
            mistakes.KERNEL_KEYWORD.id,
        ),
        (
            lambda: same_style(
                _with(spec, in_channels=spec["out_channels"], out_channels=spec["in_channels"])
            ),
            CHANNELS_SWAPPED.id,
        ),
        (
            lambda: keyword_call(mistakes.PADDING_KEYWORD.wrong_answer(spec)),
            mistakes.PADDING_KEYWORD.id,
        ),
        (lambda: keyword_call(_keras_call(spec)), mistakes.KERAS_KEYWORDS.id),
        (lambda: wrong(mistakes.KERNEL_PADDING_SWAPPED), mistakes.KERNEL_PADDING_SWAPPED.id),
        (lambda: wrong(mistakes.KERNEL_AREA), mistakes.KERNEL_AREA.id),
    ]
    if style == POSITIONAL:
        candidates.append(
            (lambda: mistakes.POSITIONAL_ORDER.wrong_answer(spec), mistakes.POSITIONAL_ORDER.id)
        )
    else:
        candidates.append(
            (lambda: wrong(mistakes.STRIDE_PADDING_SWAPPED), mistakes.STRIDE_PADDING_SWAPPED.id)
        )
    kernel = spec["kernel_size"]
    if "stride" in spec and type(kernel) is int and kernel % 2 == 1:
        candidates.append((lambda: same_style(_with(spec, padding="same")), "same_with_stride"))
    if difficulty is M:
        candidates.append((lambda: wrong(mistakes.BIAS_DEFAULT), mistakes.BIAS_DEFAULT.id))
        if "groups" in spec and spec["groups"] != spec["out_channels"]:
            candidates.append(
                (
                    lambda: same_style(_with(spec, groups=spec["out_channels"])),
                    mistakes.GROUPS_FILTERS_CONFUSED.id,
                )
            )
        if "dilation" in spec:
            candidates.append(
                (
                    lambda: same_style(_with(spec, dilation=None, stride=spec["dilation"])),
                    mistakes.DILATION_STRIDE_CONFUSED.id,
                )
            )
    if type(kernel) is list:
        candidates.append(
            (
                lambda: same_style(
                    {
                        name: value[::-1] if type(value) is list else value
                        for name, value in spec.items()
                    }
                ),
                HEIGHT_WIDTH_SWAPPED.id,
            )
        )
        candidates.append(
            (lambda: same_style(_with(spec, kernel_size=kernel[::-1])), HEIGHT_WIDTH_SWAPPED.id)
        )
        stride_value = spec.get("stride")
        if type(stride_value) is list:
            candidates.append(
                (
                    lambda: same_style(_with(spec, stride=stride_value[0])),
                    mistakes.INT_ARGUMENT_ONE_DIMENSION.id,
                )
            )
        padding_value = spec.get("padding")
        if type(padding_value) is list:
            candidates.append(
                (
                    lambda: same_style(_with(spec, padding=max(padding_value))),
                    mistakes.INT_ARGUMENT_ONE_DIMENSION.id,
                )
            )
    return candidates


def _keras_call(spec: Mapping[str, Any]) -> Call:
    """Keras spellings: dilation_rate / use_bias / strides when present, else filters."""
    if "dilation" in spec:
        return mistakes.renamed(spec, "dilation", "dilation_rate")
    if spec.get("bias", True) is False:
        return mistakes.renamed(spec, "bias", "use_bias")
    if "stride" in spec:
        return mistakes.renamed(spec, "stride", "strides")
    return mistakes.KERAS_KEYWORDS.wrong_answer(spec)


def _shape_distractors(spec: Mapping[str, Any]) -> tuple[list[Candidate], list[Candidate]]:
    """Valid calls that miss the target shape (checked again by forward_shape in _finish)."""
    kernel = _pair(spec["kernel_size"])
    stride = _pair(spec.get("stride", 1))
    padding = _pair(spec.get("padding", 0))

    def compact(pair: Sequence[int]) -> Any:
        return _compact(list(pair))

    def call(**changes: Any) -> Call:
        return styled(_with(spec, **changes), CHANNELS)

    candidates: list[Candidate] = [
        (
            lambda: call(in_channels=spec["out_channels"], out_channels=spec["in_channels"]),
            CHANNELS_SWAPPED.id,
        ),
        (
            lambda: (
                call(stride=compact(padding), padding=compact(stride) if stride != (1, 1) else None)
                if min(padding) >= 1
                else None
            ),
            mistakes.STRIDE_PADDING_SWAPPED.id,
        ),
        (
            lambda: call(kernel_size=compact(stride), stride=compact(kernel)),
            KERNEL_STRIDE_SWAPPED.id,
        ),
        (
            lambda: (
                call(padding=compact((2 * padding[0], 2 * padding[1])))
                if padding != (0, 0)
                else None
            ),
            PADDING_NOT_DOUBLED.id,
        ),
        (lambda: call(stride=None) if stride != (1, 1) else None, IGNORED_STRIDE.id),
        (
            lambda: call(
                kernel_size=compact(kernel[::-1]),
                stride=compact(stride[::-1]) if stride != (1, 1) else None,
                padding=compact(padding[::-1]) if padding != (0, 0) else None,
            ),
            HEIGHT_WIDTH_SWAPPED.id,
        ),
        (
            lambda: (
                call(padding=compact((kernel[0] - 1, kernel[1] - 1))) if kernel != (1, 1) else None
            ),
            mistakes.PADDING_KERNEL_CONFUSED.id,
        ),
        (
            lambda: (
                call(kernel_size=compact((kernel[0] - stride[0], kernel[1] - stride[1])))
                if min(kernel[0] - stride[0], kernel[1] - stride[1]) >= 1
                else None
            ),
            FORGOT_PLUS_ONE.id,
        ),
        (
            lambda: call(kernel_size=compact((kernel[0] + 2, kernel[1] + 2))),
            KERNEL_NOT_SUBTRACTED.id,
        ),
        (lambda: call(padding=compact((padding[0] + 1, padding[1] + 1))), IGNORED_PADDING.id),
        (lambda: call(dilation=2) if kernel != (1, 1) else None, IGNORED_DILATION.id),
    ]
    # Always-different fallbacks, so every question gets three distractors: both channel
    # arguments set to the output's count (x then has the wrong channels), and a spatial change
    # that always moves the size (no stride, or a kernel 2 larger at stride 1).
    fallbacks: list[Candidate] = [
        (lambda: call(in_channels=spec["out_channels"]), mistakes.IN_CHANNELS_SETS_OUTPUT.id),
        (lambda: call(stride=None), IGNORED_STRIDE.id)
        if stride != (1, 1)
        else (
            lambda: call(kernel_size=compact((kernel[0] + 2, kernel[1] + 2))),
            KERNEL_NOT_SUBTRACTED.id,
        ),
    ]
    return candidates, fallbacks


GENERATOR = ConstructorGenerator()
