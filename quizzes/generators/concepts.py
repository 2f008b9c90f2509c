"""Family 3: what each nn.Conv2d argument controls.

easy: definitions, always next to a concrete layer: "what does `stride` control?", "which argument
    sets how far the window moves?", "in this call, what does `padding=2` mean?".
medium: effects, with the layer's own numbers: "change only the stride from 1 to 2: what is
    y.shape now?", "which single change alters the channel dimension?", "doubling the stride does
    what to H_out?".
hard: design scenarios: halve the map without losing edge pixels, widen the window without adding
    weights, cut the weights by g without changing y.shape, cut the image into non-overlapping
    patches, count the parameters bias=False removes.

Distractors come from the confusion catalogue (``quizzes.misconceptions.concepts``): the value
meant for one argument put on another. ``params["options"]`` records, per label, what each option
claims in machine-readable form (an argument, a shape, a number or a full layer), so the property
test can check every claim against torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from quizzes.generators.base import (
    Answer,
    AnswerKind,
    Choice,
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
from quizzes.generators.text import conv2d_call
from quizzes.misconceptions import concepts as mistakes
from quizzes.misconceptions.conv import CHANNELS_SWAPPED, PADDING_NOT_DOUBLED
from quizzes.shapes import conv_output_size

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD

ARGUMENTS = (
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "out_channels",
    "in_channels",
    "groups",
    "bias",
)
DEFINITION = {
    "kernel_size": "The height and width of the window each filter looks at",
    "stride": "How many pixels the window moves between neighbouring outputs",
    "padding": "How many pixels are added around the input's border before sliding",
    "dilation": "The spacing between the kernel's taps, widening the window without adding weights",
    "out_channels": "The number of filters, which is the number of output channels",
    "in_channels": "The number of channels the input must have (the depth of every filter)",
    "groups": "How many independent groups the input and output channels are split into",
    "bias": "Whether each filter adds a learnable constant to its output map",
}
WHICH = {
    "kernel_size": "the height and width of the window each output looks at",
    "stride": "how far the window moves between neighbouring outputs",
    "padding": "how many pixels are added around the border of the input",
    "dilation": "the spacing between the kernel's taps",
    "out_channels": "the number of filters (and so the number of output channels)",
    "in_channels": "how many channels the input must have",
    "groups": "into how many independent groups the channels are split",
    "bias": "whether each filter adds a learnable constant",
}
DETAIL = {
    "kernel_size": (
        "kernel_size is the window: every filter has kernel_size × kernel_size weights per input "
        "channel, so it sets conv.weight.shape[2:] and is subtracted in the output-size formula."
    ),
    "stride": (
        "stride is the step: the window jumps stride pixels between neighbouring outputs, so the "
        "formula divides by it and the output shrinks roughly by that factor."
    ),
    "padding": (
        "padding is the border: that many rows and columns (zeros by default) are added on each "
        "side before the window slides, so the formula adds 2 × padding."
    ),
    "dilation": (
        "dilation spaces out the kernel's taps: a k×k kernel spans dilation·(k − 1) + 1 pixels "
        "but keeps its k×k weights."
    ),
    "out_channels": (
        "out_channels is the number of filters; each filter produces one output map, so it is "
        "y.shape[1] and conv.weight.shape[0]."
    ),
    "in_channels": (
        "in_channels must equal the input's channel dimension: every filter has that many input "
        "planes (conv.weight.shape[1] × groups)."
    ),
    "groups": (
        "groups splits the channels into independent groups: each filter only sees "
        "in_channels / groups input channels, which divides the weights by groups."
    ),
    "bias": (
        "bias=True (the default) gives every filter one learnable constant added to its whole "
        "map: out_channels extra parameters, no change of shape."
    ),
}
CONFUSABLE = {
    "kernel_size": ("stride", "out_channels", "padding", "dilation"),
    "stride": ("kernel_size", "padding", "dilation", "out_channels"),
    "padding": ("stride", "kernel_size", "dilation"),
    "dilation": ("stride", "kernel_size", "padding"),
    "out_channels": ("kernel_size", "in_channels", "groups", "stride"),
    "in_channels": ("out_channels", "groups", "kernel_size"),
    "groups": ("out_channels", "in_channels", "dilation"),
    "bias": ("padding", "groups", "out_channels"),
}
# (a, b): the student believes argument a does b's job.
CONFUSED = {
    ("stride", "kernel_size"): mistakes.STRIDE_KERNEL_CONFUSED.id,
    ("kernel_size", "stride"): mistakes.KERNEL_STRIDE_CONFUSED.id,
    ("padding", "stride"): mistakes.PADDING_STRIDE_CONFUSED.id,
    ("stride", "padding"): mistakes.STRIDE_PADDING_CONFUSED.id,
    ("out_channels", "kernel_size"): mistakes.FILTERS_KERNEL_CONFUSED.id,
    ("kernel_size", "out_channels"): mistakes.KERNEL_FILTERS_CONFUSED.id,
    ("dilation", "stride"): mistakes.DILATION_STRIDE_CONFUSED.id,
    ("dilation", "kernel_size"): mistakes.DILATION_KERNEL_CONFUSED.id,
    ("padding", "kernel_size"): mistakes.PADDING_KERNEL_CONFUSED.id,
    ("kernel_size", "padding"): mistakes.PADDING_KERNEL_CONFUSED.id,
    ("groups", "out_channels"): mistakes.GROUPS_FILTERS_CONFUSED.id,
    ("in_channels", "out_channels"): mistakes.IN_CHANNELS_SETS_OUTPUT.id,
    ("out_channels", "in_channels"): CHANNELS_SWAPPED.id,
    ("stride", "out_channels"): mistakes.STRIDE_FILTERS_CONFUSED.id,
    ("dilation", "padding"): mistakes.DILATION_PADDING_CONFUSED.id,
    ("stride", "dilation"): mistakes.DILATION_STRIDE_CONFUSED.id,
    ("kernel_size", "dilation"): mistakes.DILATION_KERNEL_CONFUSED.id,
    ("padding", "dilation"): mistakes.DILATION_PADDING_CONFUSED.id,
}
GENERIC = mistakes.ARGUMENT_ROLE_CONFUSED.id

CODE_HEAD = "```python\nimport torch\nimport torch.nn as nn\n\n"
ANSWER_FORMAT = "the letter of one option, e.g. B"


def confusion(believed: str, actual: str) -> str:
    """Misconception id for "``believed`` does ``actual``'s job"."""
    return CONFUSED.get((believed, actual), GENERIC)


def output_shape(layer: Mapping[str, Any], input_shape: list[int]) -> tuple[int, int, int, int]:
    """y.shape of an int-argument nn.Conv2d ``layer`` (constructor kwargs) on ``input_shape``."""
    stride = layer.get("stride", 1)
    # conv_output_size for H and W with the shared terms once: a question computes this shape
    # for every option it weighs.
    offset = 2 * layer.get("padding", 0) - layer.get("dilation", 1) * (layer["kernel_size"] - 1) - 1
    return (
        input_shape[0],
        layer["out_channels"],
        (input_shape[2] + offset) // stride + 1,
        (input_shape[3] + offset) // stride + 1,
    )


def fits(layer: Mapping[str, Any], input_shape: list[int]) -> bool:
    """Whether torch runs ``layer`` on ``input_shape`` (channels, groups and the kernel fit)."""
    groups = layer.get("groups", 1)
    if layer["in_channels"] % groups or layer["out_channels"] % groups:
        return False
    if input_shape[1] != layer["in_channels"]:
        return False
    span = layer.get("dilation", 1) * (layer["kernel_size"] - 1) + 1
    padding = layer.get("padding", 0)
    return min(input_shape[2], input_shape[3]) + 2 * padding >= span and layer.get("stride", 1) > 0


def weight_count(layer: Mapping[str, Any]) -> int:
    """conv.weight.numel(): out × in / groups × k × k."""
    kernel = layer["kernel_size"]
    return (
        layer["out_channels"] * (layer["in_channels"] // layer.get("groups", 1)) * kernel * kernel
    )


def covers(size: int, kernel: int, stride: int, padding: int) -> bool:
    """Whether every input pixel falls in at least one window (dilation 1)."""
    out = conv_output_size(size, kernel, stride, padding)
    if out < 1 or (out > 1 and stride > kernel):
        return False
    return (out - 1) * stride - padding + kernel - 1 >= size - 1


def uses_once(size: int, kernel: int, stride: int, padding: int) -> bool:
    """Whether every input pixel falls in exactly one window (dilation 1)."""
    out = conv_output_size(size, kernel, stride, padding)
    if padding or out < 1:
        return False
    if out == 1:
        return kernel == size
    return stride == kernel and out * kernel == size


def call_text(layer: Mapping[str, Any]) -> str:
    extra = []
    if layer.get("groups", 1) != 1:
        extra.append(f"groups={layer['groups']}")
    if layer.get("bias", True) is False:
        extra.append("bias=False")
    return conv2d_call(
        layer["in_channels"],
        layer["out_channels"],
        layer["kernel_size"],
        layer.get("stride", 1),
        layer.get("padding", 0),
        layer.get("dilation", 1),
        extra=", ".join(extra),
    )


_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True}


def _with(layer: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """``layer`` with some arguments changed; defaults are dropped so params read like code.

    ``layer`` itself never holds a default (every layer is built through here), so only the
    changed arguments need checking.
    """
    result = {**layer, **changes}
    for name, value in changes.items():
        if name in _DEFAULTS and _DEFAULTS[name] == value and type(value) is type(_DEFAULTS[name]):
            del result[name]
    return result


def _shape(shape: tuple[int, ...] | list[int]) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


def _code(layer: Mapping[str, Any], input_shape: list[int]) -> str:
    dims = ", ".join(map(str, input_shape))
    return f"{CODE_HEAD}conv = {call_text(layer)}\nx = torch.randn({dims})\ny = conv(x)\n```\n"


def _variant(
    generator: Generator,
    seed: int,
    difficulty: Difficulty,
    params: dict[str, Any],
    prompt: str,
    choices: list[Choice],
    claims: Mapping[str, Any],
    steps: list[SolutionStep],
    hints: list[str],
) -> Variant:
    label = correct_label(choices)
    params["options"] = {choice.label: claims[choice.text] for choice in choices}
    key_text = next(choice.text for choice in choices if choice.is_correct)
    steps.append(SolutionStep("Final answer", f"{key_text} → **Option {label}**"))
    steps.append(SolutionStep("Quick check", params.pop("_quick")))
    return Variant(
        family=generator.family,
        seed=seed,
        difficulty=difficulty,
        params=params,
        prompt=prompt,
        answer=Answer(AnswerKind.CHOICE, label, display=key_text),
        choices=choices,
        solution_steps=steps,
        hints=hints,
        misconceptions=[choice.misconception for choice in choices if choice.misconception],
        answer_format=ANSWER_FORMAT,
    )


def _pick(
    key: tuple[str, Any], candidates: Iterable[tuple[str, Any, str]], count: int = 3
) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Distractors (text, misconception), distinct in text and claim from the key and each other.

    ``candidates`` are (text, claim, misconception id); ``claims`` maps each kept text to its
    claim.
    """
    key_text, key_claim = key
    claims = {key_text: key_claim}
    seen_claims = [key_claim]
    picked: list[tuple[str, str]] = []
    for text, claim, misconception in candidates:
        if text in claims or claim in seen_claims:
            continue
        claims[text] = claim
        seen_claims.append(claim)
        picked.append((text, misconception))
        if len(picked) == count:
            break
    return picked, claims


class ConceptsGenerator(Generator):
    family = "concepts"
    title = "What each Conv2d argument controls"
    topic = "conv-concepts"
    description = (
        "Multiple-choice questions on what kernel_size, stride, padding, dilation, out_channels, "
        "in_channels, groups and bias control, what changing one does, and which to change to "
        "reach a design goal."
    )
    parameters = (
        ParameterSpec(
            "input_size",
            "input height/width",
            IntRange(8, 256),
            {E: IntRange(8, 32), M: IntRange(12, 64), H: IntRange(16, 128)},
        ),
        ParameterSpec(
            "kernel_size",
            "kernel size",
            IntRange(1, 7),
            {E: IntRange(1, 7), M: IntRange(1, 5), H: IntRange(3, 7)},
        ),
        ParameterSpec(
            "stride",
            "stride",
            IntRange(1, 3),
            {E: IntRange(1, 2), M: IntRange(1, 2), H: IntRange(1, 2)},
        ),
        ParameterSpec(
            "channels",
            "in/out channels",
            IntRange(1, 256),
            {E: IntRange(1, 64), M: IntRange(1, 64), H: IntRange(2, 128)},
        ),
        ParameterSpec(
            "batch_size",
            "batch size N",
            IntRange(1, 64),
            {E: IntRange(1, 8), M: IntRange(1, 16), H: IntRange(1, 32)},
        ),
    )

    def build(
        self,
        rng: QuestionRandom,
        seed: int,
        difficulty: Difficulty,
        ranges: Mapping[str, IntRange],
    ) -> Variant:
        template = rng.choice(_TEMPLATES[difficulty])
        return template(self, rng, seed, difficulty, ranges)


# ---------------------------------------------------------------------------------------------
# Layers.


def _draw_layer(
    rng: QuestionRandom, ranges: Mapping[str, IntRange], *, highlight: str | None = None
) -> tuple[dict[str, Any], list[int]]:
    """A layer and an input it runs on; ``highlight`` gets a non-default value."""
    size = ranges["input_size"].draw(rng)
    width = size if rng.randint(0, 2) else ranges["input_size"].draw(rng)
    kernel = ranges["kernel_size"].draw(rng)
    in_channels = ranges["channels"].draw(rng)
    out_channels = ranges["channels"].draw(rng)
    stride = ranges["stride"].draw(rng)
    padding = rng.randint(0, kernel // 2)
    layer: dict[str, Any] = {
        "in_channels": in_channels,
        "out_channels": out_channels,
        "kernel_size": kernel,
    }
    if highlight == "kernel_size" and kernel == 1:
        layer["kernel_size"] = kernel = 3
    if highlight == "stride" and stride == 1:
        stride = 2
    if highlight == "padding" and padding == 0:
        padding = max(1, kernel // 2)
    if highlight in ("in_channels", "out_channels") and in_channels == out_channels:
        layer["out_channels"] = out_channels = in_channels * 2
    if stride != 1:
        layer["stride"] = stride
    if padding:
        layer["padding"] = padding
    if highlight == "dilation":
        # Keep the dilated span inside the padded input (input_size is at least 8).
        largest = (min(size, width) + 2 * padding - 1) // max(1, kernel - 1)
        if kernel == 1 or largest < 2:
            layer["kernel_size"] = kernel = 3
            largest = (min(size, width) + 2 * padding - 1) // 2
        layer["dilation"] = rng.randint(2, min(3, largest))
    if highlight == "groups":
        groups = rng.choice((2, 4))
        layer["in_channels"] = in_channels = groups * max(1, in_channels // groups)
        layer["out_channels"] = groups * max(1, out_channels // groups)
        layer["groups"] = groups
    if highlight == "bias":
        layer["bias"] = False
    input_shape = [ranges["batch_size"].draw(rng), in_channels, size, width]
    return layer, input_shape


# ---------------------------------------------------------------------------------------------
# Easy: definitions.


def _definition(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    asked = rng.choice(ARGUMENTS)
    layer, input_shape = _draw_layer(rng, ranges, highlight=asked)
    candidates = [
        (DEFINITION[other], other, confusion(asked, other)) for other in CONFUSABLE[asked]
    ]
    picked, claims = _pick((DEFINITION[asked], asked), candidates)
    choices = build_choices(rng, DEFINITION[asked], picked)
    prompt = f"What does the `{asked}` argument of `nn.Conv2d` control?\n\n" + _code(
        layer, input_shape
    )
    params = {
        "template": "definition",
        "argument": asked,
        "layer": layer,
        "input_shape": input_shape,
        "_quick": _fact(asked, layer, input_shape),
    }
    steps = [
        SolutionStep(f"Step 1: Recall what `{asked}` does", DETAIL[asked]),
        SolutionStep("Step 2: Rule out the other options", _others(choices, claims)),
    ]
    return _variant(
        generator,
        seed,
        difficulty,
        params,
        prompt,
        choices,
        claims,
        steps,
        _definition_hints(asked),
    )


def _which_argument(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    asked = rng.choice(ARGUMENTS)
    layer, input_shape = _draw_layer(rng, ranges, highlight=asked)
    candidates = [(f"`{other}`", other, confusion(other, asked)) for other in CONFUSABLE[asked]]
    picked, claims = _pick((f"`{asked}`", asked), candidates)
    choices = build_choices(rng, f"`{asked}`", picked)
    prompt = f"Which argument of `nn.Conv2d` sets {WHICH[asked]}?\n\n" + _code(layer, input_shape)
    params = {
        "template": "which_argument",
        "argument": asked,
        "layer": layer,
        "input_shape": input_shape,
        "_quick": _fact(asked, layer, input_shape),
    }
    others = "\n".join(
        f"- `{claims[c.text]}`: {DEFINITION[claims[c.text]].lower()}."
        for c in choices
        if not c.is_correct
    )
    steps = [
        SolutionStep(f"Step 1: Match the description to `{asked}`", DETAIL[asked]),
        SolutionStep("Step 2: What the other arguments do", others),
    ]
    return _variant(
        generator,
        seed,
        difficulty,
        params,
        prompt,
        choices,
        claims,
        steps,
        _definition_hints(asked),
    )


_VALUE_ARGUMENTS = (
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "out_channels",
    "in_channels",
    "groups",
)


def _meaning(argument: str, value: int, layer: Mapping[str, Any]) -> str:
    """What ``argument=value`` means, said with the value (used for key and distractors alike)."""
    one = value == 1
    if argument == "kernel_size":
        return f"Each filter looks at a {value}×{value} window of the input"
    if argument == "stride":
        return f"The window moves {value} pixel{'' if one else 's'} between neighbouring outputs"
    if argument == "padding":
        return (
            f"{value} pixel{' of zeros is' if one else 's of zeros are'} added on every side of "
            "the input"
        )
    if argument == "dilation":
        if one:
            return "The kernel's taps sit next to each other, with no gaps"
        return f"The kernel's taps are {value} pixels apart, with gaps between them"
    if argument == "out_channels":
        if one:
            return "The layer has 1 filter, so the output has 1 channel"
        return f"The layer has {value} filters, so the output has {value} channels"
    if argument == "in_channels":
        return f"The input must have {value} channel{'' if one else 's'}"
    return f"The channels are split into {value} groups that are convolved separately"


_POSITIONAL = {"in_channels": "first", "out_channels": "second"}


def _value_meaning(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    asked = rng.choice(_VALUE_ARGUMENTS)
    layer, input_shape = _draw_layer(rng, ranges, highlight=asked)
    value = layer[asked]
    key_text = _meaning(asked, value, layer)
    candidates = [
        (_meaning(other, value, layer), other, confusion(asked, other))
        for other in (*CONFUSABLE[asked], "in_channels", "out_channels", "padding", "stride")
        if other in _VALUE_ARGUMENTS and other != asked
    ]
    picked, claims = _pick((key_text, asked), candidates)
    choices = build_choices(rng, key_text, picked)
    if asked in _POSITIONAL:
        what = f"the {_POSITIONAL[asked]} number, `{value}`,"
    else:
        what = f"`{asked}={value}`"
    prompt = f"In this code, what does {what} mean?\n\n" + _code(layer, input_shape)
    params = {
        "template": "value_meaning",
        "argument": asked,
        "layer": layer,
        "input_shape": input_shape,
        "_quick": _fact(asked, layer, input_shape),
    }
    where = (
        f"nn.Conv2d's {_POSITIONAL[asked]} positional argument is {asked}."
        if asked in _POSITIONAL
        else f"The keyword names the argument: {asked}."
    )
    steps = [
        SolutionStep("Step 1: Identify the argument", f"{where} {DETAIL[asked]}"),
        SolutionStep("Step 2: Rule out the other readings", _others(choices, claims)),
    ]
    return _variant(
        generator,
        seed,
        difficulty,
        params,
        prompt,
        choices,
        claims,
        steps,
        _definition_hints(asked),
    )


def _others(choices: list[Choice], claims: Mapping[str, Any]) -> str:
    return "\n".join(
        f'- "{choice.text}" describes `{claims[choice.text]}`, not this argument.'
        for choice in choices
        if not choice.is_correct
    )


def _definition_hints(asked: str) -> list[str]:
    return [
        "Window, step, border, gaps, filters, input depth, channel groups, constant: which is "
        "this one?",
        f"Picture what changes in conv.weight.shape or in y.shape when `{asked}` changes.",
    ]


def _fact(argument: str, layer: Mapping[str, Any], input_shape: list[int]) -> str:
    """One observation you can make in torch that shows what ``argument`` does."""
    groups = layer.get("groups", 1)
    kernel = layer["kernel_size"]
    weight = (layer["out_channels"], layer["in_channels"] // groups, kernel, kernel)
    shape = output_shape(layer, input_shape)
    if argument == "kernel_size":
        return (
            f"`conv.weight.shape` is `torch.Size([{', '.join(map(str, weight))}])`: every "
            f"filter has a {kernel}×{kernel} window. [OK]"
        )
    if argument == "stride":
        unit = output_shape(_with(layer, stride=1), input_shape)
        return (
            f"`y.shape` is `torch.Size([{', '.join(map(str, shape))}])`; with stride 1 it "
            f"would be {_shape(unit)}: fewer window positions. [OK]"
        )
    if argument == "padding":
        padding = layer.get("padding", 0)
        return (
            f"The {input_shape[2]}×{input_shape[3]} input is padded to "
            f"{input_shape[2] + 2 * padding}×{input_shape[3] + 2 * padding} before the "
            f"window slides, and `y.shape` is `torch.Size([{', '.join(map(str, shape))}])`. "
            "[OK]"
        )
    if argument == "dilation":
        dilation = layer.get("dilation", 1)
        return (
            f"The {kernel}×{kernel} kernel now spans {dilation * (kernel - 1) + 1} pixels, "
            f"yet `conv.weight.shape` is still `torch.Size([{', '.join(map(str, weight))}])`."
            " [OK]"
        )
    if argument == "out_channels":
        return (
            f"`y.shape[1]` and `conv.weight.shape[0]` are both {layer['out_channels']}: one "
            "output channel per filter. [OK]"
        )
    if argument == "in_channels":
        return (
            f"`conv.weight.shape[1]` is {weight[1]}; x must have {layer['in_channels']} "
            "channels, and any other count raises RuntimeError. [OK]"
        )
    if argument == "groups":
        return (
            f"`conv.weight.shape` is `torch.Size([{', '.join(map(str, weight))}])`: each "
            f"filter sees {weight[1]} of the {layer['in_channels']} input channels. [OK]"
        )
    if layer.get("bias", True):
        return f"`conv.bias.shape` is `torch.Size([{layer['out_channels']}])`. [OK]"
    return "`conv.bias` is `None`: bias=False removed the constants. [OK]"


# ---------------------------------------------------------------------------------------------
# Medium: effects.

_CHANGEABLE = ("kernel_size", "stride", "padding", "dilation", "out_channels", "groups")


def _new_value(rng: QuestionRandom, argument: str, layer: Mapping[str, Any]) -> int:
    current = layer.get(
        argument, {"stride": 1, "padding": 0, "dilation": 1, "groups": 1}.get(argument, 0)
    )
    if argument == "kernel_size":
        return current + 2
    if argument == "stride":
        return current * 2 if rng.randint(0, 1) else current + 1
    if argument == "padding":
        return current + rng.randint(1, 2)
    if argument == "dilation":
        return current + 1
    if argument == "out_channels":
        return current * 2
    return 2  # groups: 1 -> 2 (channels made even by the caller)


def _prepare_change(
    rng: QuestionRandom, ranges: Mapping[str, IntRange], arguments: tuple[str, ...]
) -> tuple[dict[str, Any], list[int], str, int, int]:
    """A layer, its input, an argument to change and the old and new values (still runs)."""
    for _ in range(20):
        layer, input_shape = _draw_layer(rng, ranges)
        argument = rng.choice(arguments)
        if argument == "groups":
            layer["in_channels"] = input_shape[1] = 2 * max(1, layer["in_channels"] // 2)
            layer["out_channels"] = 2 * max(1, layer["out_channels"] // 2)
        old = layer.get(
            argument, {"stride": 1, "padding": 0, "dilation": 1, "groups": 1}.get(argument, 0)
        )
        new = _new_value(rng, argument, layer)
        changed = _with(layer, **{argument: new})
        if not fits(changed, input_shape):
            continue
        # A spatial argument whose change moves nothing (dilating a 1×1 kernel) makes a poor
        # question: draw again.
        if argument in ("kernel_size", "stride", "padding", "dilation") and output_shape(
            changed, input_shape
        ) == output_shape(layer, input_shape):
            continue
        return layer, input_shape, argument, old, new
    layer = {"in_channels": 3, "out_channels": 8, "kernel_size": 3}
    return layer, [1, 3, ranges["input_size"].high, ranges["input_size"].high], "stride", 1, 2


def _change_shape(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    layer, input_shape, argument, old, new = _prepare_change(rng, ranges, _CHANGEABLE)
    before = output_shape(layer, input_shape)
    changed = _with(layer, **{argument: new})
    after = output_shape(changed, input_shape)

    def candidates() -> Iterator[tuple[str, Any, str]]:
        # Lazily, most tempting first: a question needs only three.
        for other in CONFUSABLE[argument]:
            if other in ("in_channels", "bias") or layer.get(other) == new:
                continue
            pictured = _with(layer, **{other: new})
            if fits(pictured, input_shape):
                shape = output_shape(pictured, input_shape)
                yield _shape(shape), list(shape), confusion(argument, other)
        if argument in ("kernel_size", "stride", "padding", "dilation"):
            yield _shape(before), list(before), mistakes.NO_SPATIAL_EFFECT.id
        if argument == "stride":
            grown = (*before[:2], before[2] * new // old, before[3] * new // old)
            yield _shape(grown), list(grown), mistakes.STRIDE_GROWS_OUTPUT.id
        if argument == "padding":
            delta = new - old
            once = (*before[:2], before[2] + delta, before[3] + delta)
            yield _shape(once), list(once), PADDING_NOT_DOUBLED.id
            shrunk = (*before[:2], before[2] - 2 * delta, before[3] - 2 * delta)
            yield _shape(shrunk), list(shrunk), mistakes.PADDING_SHRINKS_OUTPUT.id
        if argument == "out_channels":
            halved = (*after[:2], max(1, after[2] // 2), max(1, after[3] // 2))
            yield _shape(halved), list(halved), mistakes.CHANNELS_CHANGE_SPATIAL.id
        if argument == "groups":
            split = (after[0], after[1] // new, *after[2:])
            yield _shape(split), list(split), mistakes.GROUPS_FILTERS_CONFUSED.id
            more = (after[0], after[1] * new, *after[2:])
            yield _shape(more), list(more), mistakes.GROUPS_FILTERS_CONFUSED.id
        # Always-available fallbacks: the change read as an effect on one dimension only, and
        # an extra channel.
        one_dimension = (*before[:2], after[2], before[3])
        yield _shape(one_dimension), list(one_dimension), mistakes.ARGUMENT_ROLE_CONFUSED.id
        extra = (before[0], before[1] + 1, *after[2:])
        yield _shape(extra), list(extra), mistakes.BIAS_CHANGES_SHAPE.id

    key_text = _shape(after)
    picked, claims = _pick((key_text, list(after)), candidates())
    choices = build_choices(rng, key_text, picked)
    prompt = (
        f"Right now `y.shape` is `torch.Size([{', '.join(map(str, before))}])`. You change only "
        f"`{argument}` from {old} to {new}. What is `y.shape` then?\n\n" + _code(layer, input_shape)
    )
    params = {
        "template": "change_shape",
        "layer": layer,
        "input_shape": input_shape,
        "change": {"argument": argument, "value": new},
        "_quick": f"With {argument}={new}, `conv(x).shape` is "
        f"`torch.Size([{', '.join(map(str, after))}])`. [OK]",
    }
    steps = [
        SolutionStep(f"Step 1: What `{argument}` controls", DETAIL[argument]),
        SolutionStep("Step 2: Recompute with the new value", _recompute(changed, input_shape)),
    ]
    return _variant(
        generator,
        seed,
        difficulty,
        params,
        prompt,
        choices,
        claims,
        steps,
        [
            f"Which dimensions of y does `{argument}` act on?",
            "Only the changed argument moves; everything else stays as it was.",
        ],
    )


def _recompute(layer: Mapping[str, Any], input_shape: list[int]) -> str:
    kernel = layer["kernel_size"]
    stride, padding = layer.get("stride", 1), layer.get("padding", 0)
    dilation = layer.get("dilation", 1)
    span = dilation * (kernel - 1) + 1
    shape = output_shape(layer, input_shape)
    lines = [f"N stays {input_shape[0]}; the channels are out_channels = {layer['out_channels']}."]
    for name, size, out in (("H", input_shape[2], shape[2]), ("W", input_shape[3], shape[3])):
        lines.append(f"{name}_out = ⌊({size} + 2·{padding} − {span}) / {stride}⌋ + 1 = {out}")
    if layer.get("groups", 1) != 1:
        lines.append(f"groups={layer['groups']} changes the weights, not the output shape.")
    return "\n\n".join(lines)


_PROPERTIES = {
    # property id: (question text, argument that has it, arguments that do not)
    "channels": (
        "changes the channel dimension of `y`",
        "out_channels",
        ("kernel_size", "stride", "padding", "dilation", "groups"),
    ),
    "grows": (
        "makes `y`'s height and width larger when you increase it",
        "padding",
        ("kernel_size", "stride", "dilation", "out_channels"),
    ),
    "weights_not_output": (
        "changes `conv.weight.shape` but leaves `y.shape` unchanged",
        "groups",
        ("kernel_size", "out_channels", "stride", "padding"),
    ),
    "parameters_not_shape": (
        "changes the number of learnable parameters but not `y.shape`",
        "bias",
        ("stride", "padding", "kernel_size", "out_channels"),
    ),
    "window_without_weights": (
        "widens the window each output sees without adding weights",
        "dilation",
        ("kernel_size", "stride", "padding", "out_channels"),
    ),
}
# Misconceptions for picking a wrong option that no confusion pair names.
_PROPERTY_MISCONCEPTION = {
    ("grows", "stride"): mistakes.STRIDE_GROWS_OUTPUT.id,
    ("grows", "kernel_size"): mistakes.NO_SPATIAL_EFFECT.id,
    ("grows", "dilation"): mistakes.NO_SPATIAL_EFFECT.id,
    ("window_without_weights", "kernel_size"): mistakes.DILATION_KERNEL_CONFUSED.id,
    ("parameters_not_shape", "stride"): mistakes.NO_SPATIAL_EFFECT.id,
    ("parameters_not_shape", "padding"): mistakes.NO_SPATIAL_EFFECT.id,
    ("weights_not_output", "stride"): mistakes.NO_SPATIAL_EFFECT.id,
    ("weights_not_output", "padding"): mistakes.NO_SPATIAL_EFFECT.id,
}


def _change_text(argument: str, old: Any, new: Any) -> str:
    return f"`{argument}`: {old} → {new}"


def _property(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    prop = rng.choice(tuple(_PROPERTIES))
    question, right, wrong = _PROPERTIES[prop]
    layer, input_shape = _draw_layer(rng, ranges)
    layer["in_channels"] = input_shape[1] = 2 * max(1, layer["in_channels"] // 2)
    layer["out_channels"] = 2 * max(1, layer["out_channels"] // 2)
    layer.pop("padding", None)
    if prop == "window_without_weights" and (
        layer["kernel_size"] == 1 or not fits(_with(layer, dilation=2), input_shape)
    ):
        layer["kernel_size"] = 3
    before = _observe(layer, input_shape)

    def option(argument: str) -> tuple[str, dict[str, Any]]:
        if argument == "bias":
            return _change_text("bias", True, False), {"argument": "bias", "value": False}
        if argument == "groups":
            return _change_text("groups", 1, 2), {"argument": "groups", "value": 2}
        old = layer.get(argument, {"stride": 1, "padding": 0, "dilation": 1}.get(argument, 0))
        new = old * 2 if argument == "out_channels" else old + 1
        return _change_text(argument, old, new), {"argument": argument, "value": new}

    key_text, key_claim = option(right)
    others = list(wrong)
    rng.shuffle(others)
    observed = {key_text: _observe(_with(layer, **{right: key_claim["value"]}), input_shape)}

    def candidates() -> Iterator[tuple[str, Any, str]]:
        for argument in others:
            text, claim = option(argument)
            changed = _with(layer, **{argument: claim["value"]})
            if not fits(changed, input_shape):
                continue
            observed[text] = after = _observe(changed, input_shape)
            if _HAS_PROPERTY[prop](before, after):
                continue  # e.g. a bigger kernel whose output size floors to the same value
            misconception = CONFUSED.get(
                (argument, right), _PROPERTY_MISCONCEPTION.get((prop, argument), GENERIC)
            )
            yield text, claim, misconception

    picked, claims = _pick((key_text, key_claim), candidates())
    choices = build_choices(rng, key_text, picked)
    prompt = f"Which single change to this layer {question}?\n\n" + _code(layer, input_shape)
    params = {
        "template": "property",
        "property": prop,
        "layer": layer,
        "input_shape": input_shape,
        "_quick": _property_quick(prop, layer, input_shape),
    }
    verdicts = "\n".join(
        f"- {choice.text}: {_PROPERTY_VERDICT[claims[choice.text]['argument']]} Here: "
        + _observed_text(before, observed[choice.text])
        for choice in choices
    )
    steps = [
        SolutionStep("Step 1: What the question asks", f"The change must be one that {question}."),
        SolutionStep("Step 2: Check each change", verdicts),
    ]
    return _variant(
        generator,
        seed,
        difficulty,
        params,
        prompt,
        choices,
        claims,
        steps,
        [
            "For each option, ask: does it change conv.weight, y.shape[1], or H and W?",
            "Only one of the changes has the property.",
        ],
    )


_PROPERTY_VERDICT = {
    "out_channels": "more filters, so more output channels and more weights.",
    "kernel_size": "a bigger window: more weights, and usually a smaller output.",
    "stride": "a bigger step: fewer window positions; the weights stay the same.",
    "padding": "a wider border: more window positions; the weights stay.",
    "dilation": "wider gaps between taps: the window spans more pixels with the same weights.",
    "groups": "the channels split in two: each filter sees half of them.",
    "bias": "the out_channels biases disappear.",
}


def _observe(layer: Mapping[str, Any], input_shape: list[int]) -> dict[str, Any]:
    """What torch would show: y.shape, conv.weight.shape, the parameter count, the window span."""
    kernel, groups = layer["kernel_size"], layer.get("groups", 1)
    weight = [layer["out_channels"], layer["in_channels"] // groups, kernel, kernel]
    count = weight[0] * weight[1] * kernel * kernel
    return {
        "y": list(output_shape(layer, input_shape)),
        "weight": weight,
        "parameters": count + (layer["out_channels"] if layer.get("bias", True) else 0),
        "span": layer.get("dilation", 1) * (kernel - 1) + 1,
    }


_HAS_PROPERTY: dict[str, Callable[[dict[str, Any], dict[str, Any]], bool]] = {
    "channels": lambda before, after: before["y"][1] != after["y"][1],
    "grows": lambda before, after: after["y"][2] > before["y"][2],
    "weights_not_output": lambda before, after: (
        before["weight"] != after["weight"] and before["y"] == after["y"]
    ),
    "parameters_not_shape": lambda before, after: (
        before["parameters"] != after["parameters"] and before["y"] == after["y"]
    ),
    "window_without_weights": lambda before, after: (
        after["span"] > before["span"] and before["weight"] == after["weight"]
    ),
}


def _observed_text(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    parts = [f"y.shape {_shape(before['y'])} → {_shape(after['y'])}"]
    if before["weight"] != after["weight"]:
        parts.append(f"conv.weight.shape {_shape(before['weight'])} → {_shape(after['weight'])}")
    else:
        parts.append("conv.weight.shape unchanged")
    if before["parameters"] != after["parameters"]:
        parts.append(f"parameters {before['parameters']} → {after['parameters']}")
    if before["span"] != after["span"]:
        parts.append(f"window {before['span']} → {after['span']} pixels wide")
    return ", ".join(parts) + "."


def _property_quick(prop: str, layer: Mapping[str, Any], input_shape: list[int]) -> str:
    shape = output_shape(layer, input_shape)
    if prop == "parameters_not_shape":
        return (
            f"`sum(p.numel() for p in conv.parameters())` drops by {layer['out_channels']} "
            f"and `y.shape` stays `torch.Size([{', '.join(map(str, shape))}])`. [OK]"
        )
    if prop == "weights_not_output":
        return (
            f"`conv.weight.shape[1]` goes from {layer['in_channels']} to "
            f"{layer['in_channels'] // 2}; `y.shape` stays "
            f"`torch.Size([{', '.join(map(str, shape))}])`. [OK]"
        )
    return f"Before the change `y.shape` is `torch.Size([{', '.join(map(str, shape))}])`. [OK]"


def _effect(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    layer, input_shape, argument, old, new = _prepare_change(
        rng, ranges, ("stride", "padding", "dilation", "out_channels", "kernel_size")
    )
    before = output_shape(layer, input_shape)[2]
    changed = _with(layer, **{argument: new})
    after = output_shape(changed, input_shape)[2]
    key_text, candidates = _effect_options(argument, old, new, layer, input_shape, before, after)
    picked, claims = _pick((key_text, after), candidates)
    choices = build_choices(rng, key_text, picked)
    verb = {
        "stride": "Changing the stride",
        "padding": "Raising the padding",
        "dilation": "Raising the dilation",
        "out_channels": "Doubling out_channels",
        "kernel_size": "Growing the kernel",
    }[argument]
    prompt = f"{verb} from {old} to {new} does what to `H_out` (now {before})?\n\n" + _code(
        layer, input_shape
    )
    params = {
        "template": "effect",
        "layer": layer,
        "input_shape": input_shape,
        "change": {"argument": argument, "value": new},
        "_quick": f"`conv(x).shape[2]` is {before} before and {after} after the change. [OK]",
    }
    steps = [
        SolutionStep(f"Step 1: What `{argument}` does", DETAIL[argument]),
        SolutionStep("Step 2: Recompute H_out", _recompute(changed, input_shape)),
    ]
    return _variant(
        generator,
        seed,
        difficulty,
        params,
        prompt,
        choices,
        claims,
        steps,
        [
            f"Does `{argument}` appear in the output-size formula, and where?",
            "Work out H_out before and after; compare.",
        ],
    )


def _effect_options(
    argument: str,
    old: int,
    new: int,
    layer: Mapping[str, Any],
    input_shape: list[int],
    before: int,
    after: int,
) -> tuple[str, Iterator[tuple[str, Any, str]]]:
    def moved(other: str) -> int | None:
        pictured = _with(layer, **{other: new})
        return output_shape(pictured, input_shape)[2] if fits(pictured, input_shape) else None

    def text(value: int) -> str:
        if value == before:
            return f"Nothing: H_out stays {before}"
        if value > before:
            return f"It grows: {before} → {value}"
        if value * 2 <= before + 1 and value * 2 >= before - 1:
            return f"It roughly halves: {before} → {value}"
        return f"It shrinks: {before} → {value}"

    key_text = text(after)
    if argument == "out_channels":
        key_text = f"Nothing: H_out stays {before}; only y.shape[1] doubles"

    def candidates() -> Iterator[tuple[str, Any, str]]:
        # Lazily, most tempting first: a question needs only three.
        for other in CONFUSABLE[argument]:
            if argument == "out_channels" or other in ("in_channels", "groups", "out_channels"):
                continue
            if layer.get(other) == new:
                continue
            value = moved(other)
            if value is not None:
                yield text(value), value, confusion(argument, other)
        if argument == "stride":
            yield text(before * new // old), before * new // old, mistakes.STRIDE_GROWS_OUTPUT.id
        if argument == "padding":
            delta = new - old
            yield text(before + delta), before + delta, PADDING_NOT_DOUBLED.id
            yield text(before - 2 * delta), before - 2 * delta, mistakes.PADDING_SHRINKS_OUTPUT.id
        if argument == "out_channels":
            yield text(before * 2), before * 2, mistakes.CHANNELS_CHANGE_SPATIAL.id
            halved = max(1, before // 2)
            yield text(halved), halved, mistakes.CHANNELS_CHANGE_SPATIAL.id
        yield text(before), before, mistakes.NO_SPATIAL_EFFECT.id
        yield text(before + 2), before + 2, mistakes.ARGUMENT_ROLE_CONFUSED.id
        yield text(max(1, before - 3)), max(1, before - 3), mistakes.ARGUMENT_ROLE_CONFUSED.id

    return key_text, candidates()


# ---------------------------------------------------------------------------------------------
# Hard: design scenarios. Each option is a full layer; exactly one meets the requirement.


def _scenario_variant(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    *,
    template: str,
    base: dict[str, Any],
    input_shape: list[int],
    goal: str,
    key: dict[str, Any],
    candidates: list[tuple[dict[str, Any], str]],
    meets: Callable[[dict[str, Any]], bool],
    requirement: dict[str, Any],
    reasons: Callable[[dict[str, Any]], str],
    hints: list[str],
    step_one: str,
) -> Variant:
    key_text = f"`{call_text(key)}`"
    # Lazily: most questions need only the first few candidates.
    filtered = (
        (f"`{call_text(layer)}`", layer, misconception)
        for layer, misconception in candidates
        if not meets(layer)
    )
    picked, claims = _pick((key_text, key), filtered)
    choices = build_choices(rng, key_text, picked)
    prompt = f"{goal}\n\n{_code(base, input_shape)}"
    params = {
        "template": template,
        "layer": base,
        "input_shape": input_shape,
        "requirement": requirement,
        "_quick": f"`print(conv(x).shape)` with {key_text} shows "
        f"`torch.Size([{', '.join(map(str, output_shape(key, input_shape)))}])`. [OK]",
    }
    verdicts = "\n".join(f"- **{c.label}** {reasons(claims[c.text])}" for c in choices)
    steps = [
        SolutionStep("Step 1: Turn the goal into numbers", step_one),
        SolutionStep("Step 2: Check every option", verdicts),
    ]
    return _variant(generator, seed, difficulty, params, prompt, choices, claims, steps, hints)


def _scenario_layer(
    rng: QuestionRandom, ranges: Mapping[str, IntRange], *, multiple: int = 1
) -> tuple[dict[str, Any], list[int]]:
    """A size-keeping layer (odd kernel, padding (k − 1) / 2) on an input of even size."""
    kernel = ranges["kernel_size"].draw(rng) | 1
    in_channels = multiple * max(1, ranges["channels"].draw(rng) // multiple)
    out_channels = multiple * max(1, ranges["channels"].draw(rng) // multiple)
    height = ranges["input_size"].draw(rng) & ~1
    width = height if rng.randint(0, 1) else ranges["input_size"].draw(rng) & ~1
    layer = _with(
        {"in_channels": in_channels, "out_channels": out_channels, "kernel_size": kernel},
        padding=kernel // 2,
    )
    return layer, [ranges["batch_size"].draw(rng), in_channels, height, width]


def _downsample(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    base, input_shape = _scenario_layer(rng, ranges)
    kernel, padding = base["kernel_size"], base.get("padding", 0)
    height, width = input_shape[2], input_shape[3]
    target = [input_shape[0], base["out_channels"], height // 2, width // 2]

    def meets(layer: dict[str, Any]) -> bool:
        if not fits(layer, input_shape) or list(output_shape(layer, input_shape)) != target:
            return False
        if layer.get("dilation", 1) != 1:
            return False
        stride, pad, size = layer.get("stride", 1), layer.get("padding", 0), layer["kernel_size"]
        return covers(height, size, stride, pad) and covers(width, size, stride, pad)

    key = _with(base, stride=2)
    candidates = [
        (_with(base, stride=2, padding=0), mistakes.DROPPED_PADDING_TO_DOWNSAMPLE.id),
        (_with(base, kernel_size=2), mistakes.KERNEL_STRIDE_CONFUSED.id),
        (_with(base, padding=2), mistakes.PADDING_STRIDE_CONFUSED.id),
        (_with(base, dilation=2), mistakes.DILATION_STRIDE_CONFUSED.id),
        (
            _with(base, out_channels=max(1, base["out_channels"] // 2)),
            mistakes.CHANNELS_CHANGE_SPATIAL.id,
        ),
        (
            _with(base, kernel_size=kernel * 2 + 1, padding=padding),
            mistakes.KERNEL_STRIDE_CONFUSED.id,
        ),
        (_with(base, stride=3), mistakes.ARGUMENT_ROLE_CONFUSED.id),
    ]
    # an option identical to the layer shown (padding already 2) would only confuse
    candidates = [candidate for candidate in candidates if candidate[0] != base]

    def reasons(layer: dict[str, Any]) -> str:
        if not fits(layer, input_shape):
            return "does not run on x."
        shape = output_shape(layer, input_shape)
        if list(shape) != target:
            return f"gives {_shape(shape)}, not {_shape(target)}."
        stride, pad, size = layer.get("stride", 1), layer.get("padding", 0), layer["kernel_size"]
        if not (covers(height, size, stride, pad) and covers(width, size, stride, pad)):
            return (
                f"gives {_shape(shape)}, but without padding the last row/column of the "
                "input falls in no window: edge pixels are lost."
            )
        return f"gives {_shape(shape)} and every input pixel falls in some window ✓"

    return _scenario_variant(
        generator,
        rng,
        seed,
        difficulty,
        template="downsample",
        base=base,
        input_shape=input_shape,
        goal=(
            f"This layer keeps the {height}×{width} size. Which layer instead halves it to "
            f"{height // 2}×{width // 2} (`y.shape` {_shape(target)}) while every input "
            "pixel, edges included, still falls inside some window?"
        ),
        key=key,
        candidates=candidates,
        meets=meets,
        requirement={"output_shape": target, "coverage": "all"},
        reasons=reasons,
        hints=[
            "Which argument is the step between windows?",
            "What happens to the border pixels if you remove the padding?",
        ],
        step_one=(
            f"Target `y.shape` = {_shape(target)}: the same filters, half the height and "
            f"width. With kernel_size={kernel}, padding={padding} keeps the border covered; "
            "stride 2 visits every other position: ⌊(in + 2·padding − kernel_size) / 2⌋ "
            "+ 1 = in / 2 for even in."
        ),
    )


def _dilation_window(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    base, input_shape = _scenario_layer(rng, ranges)
    base = _with(base, kernel_size=3, padding=1)
    height, width = input_shape[2], input_shape[3]
    dilation = rng.randint(2, max(2, min(4, (min(height, width) - 1) // 2)))
    span = 2 * dilation + 1
    weights = weight_count(base)
    keep = output_shape(base, input_shape)

    def meets(layer: dict[str, Any]) -> bool:
        return (
            fits(layer, input_shape)
            and output_shape(layer, input_shape) == keep
            and weight_count(layer) == weights
            and layer.get("dilation", 1) * (layer["kernel_size"] - 1) + 1 == span
        )

    key = _with(base, dilation=dilation, padding=dilation)
    candidates = [
        (_with(base, kernel_size=span, padding=dilation), mistakes.DILATION_KERNEL_CONFUSED.id),
        (_with(base, dilation=dilation), mistakes.DILATION_WITHOUT_PADDING.id),
        (_with(base, stride=dilation), mistakes.DILATION_STRIDE_CONFUSED.id),
        (_with(base, padding=dilation), mistakes.PADDING_KERNEL_CONFUSED.id),
        (_with(base, kernel_size=span), mistakes.DILATION_KERNEL_CONFUSED.id),
    ]

    def reasons(layer: dict[str, Any]) -> str:
        if not fits(layer, input_shape):
            return "does not run on x."
        layer_span = layer.get("dilation", 1) * (layer["kernel_size"] - 1) + 1
        shape = output_shape(layer, input_shape)
        parts = [
            f"spans {layer_span}×{layer_span}",
            f"has {weight_count(layer)} weights",
            f"gives {_shape(shape)}",
        ]
        verdict = "✓" if meets(layer) else "✗"
        return ", ".join(parts) + f" {verdict}"

    return _scenario_variant(
        generator,
        rng,
        seed,
        difficulty,
        template="dilation_window",
        base=base,
        input_shape=input_shape,
        goal=(
            f"Each output of this layer sees a 3×3 window. Which layer makes every output see a "
            f"{span}×{span} window instead, keeps `y.shape` {_shape(keep)} and adds no weights "
            f"(`conv.weight.numel()` stays {weights})?"
        ),
        key=key,
        candidates=candidates,
        meets=meets,
        requirement={"output_shape": list(keep), "span": span, "weights": weights},
        reasons=reasons,
        hints=[
            "Which argument widens the window without adding weights?",
            "A wider window shrinks the output unless the padding grows too.",
        ],
        step_one=(
            f"A 3×3 kernel with dilation d spans 2d + 1 pixels: d = {dilation} gives "
            f"{span}. Keeping the size needs padding = dilation·(k − 1) / 2 = {dilation}; "
            "the weights stay 3×3."
        ),
    )


def _groups_weights(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    groups = rng.choice((2, 4))
    base, input_shape = _scenario_layer(rng, ranges, multiple=groups)
    weights = weight_count(base)
    keep = output_shape(base, input_shape)

    def meets(layer: dict[str, Any]) -> bool:
        return (
            fits(layer, input_shape)
            and output_shape(layer, input_shape) == keep
            and weight_count(layer) * groups == weights
        )

    kernel = base["kernel_size"]
    key = _with(base, groups=groups)
    candidates = [
        (
            _with(base, out_channels=base["out_channels"] // groups),
            mistakes.GROUPS_FILTERS_CONFUSED.id,
        ),
        (_with(base, in_channels=base["in_channels"] // groups), CHANNELS_SWAPPED.id),
        (_with(base, kernel_size=max(1, kernel - 2)), mistakes.SMALLER_KERNEL_TO_SAVE_WEIGHTS.id),
        (_with(base, stride=groups), mistakes.ARGUMENT_ROLE_CONFUSED.id),
        (_with(base, bias=False), mistakes.BIAS_PER_WEIGHT.id),
    ]

    def reasons(layer: dict[str, Any]) -> str:
        if not fits(layer, input_shape):
            return (
                f"expects {layer['in_channels']} input channels, but x has "
                f"{input_shape[1]}: RuntimeError."
            )
        shape = output_shape(layer, input_shape)
        verdict = "✓" if meets(layer) else "✗"
        return f"has {weight_count(layer)} weights and gives {_shape(shape)} {verdict}"

    return _scenario_variant(
        generator,
        rng,
        seed,
        difficulty,
        template="groups_weights",
        base=base,
        input_shape=input_shape,
        goal=(
            f"This layer has {weights} weights (`conv.weight.numel()`). Which layer has exactly "
            f"{weights // groups} weights ({groups} times fewer) and still gives `y.shape` "
            f"{_shape(keep)}?"
        ),
        key=key,
        candidates=candidates,
        meets=meets,
        requirement={"output_shape": list(keep), "weights": weights // groups},
        reasons=reasons,
        hints=[
            "Which argument splits the channels so each filter sees fewer of them?",
            "Shrinking the kernel or the filters also changes something else.",
        ],
        step_one=(
            f"weights = out_channels × (in_channels / groups) × k × k = "
            f"{base['out_channels']} × {base['in_channels']} / groups × {kernel} × "
            f"{kernel}: groups={groups} divides it by {groups} and leaves every shape as "
            "it was."
        ),
    )


def _patches(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    patch = rng.choice((2, 4, 8, 16))
    low, high = ranges["input_size"].low, ranges["input_size"].high
    while patch > 2 and patch * 2 > high:
        patch //= 2
    multiples = max(2, low // patch), max(2, high // patch)
    height = patch * rng.randint(*multiples)
    width = patch * rng.randint(*multiples)
    in_channels = ranges["channels"].draw(rng)
    out_channels = ranges["channels"].draw(rng)
    input_shape = [ranges["batch_size"].draw(rng), in_channels, height, width]
    base = {"in_channels": in_channels, "out_channels": out_channels, "kernel_size": patch}
    target = [input_shape[0], out_channels, height // patch, width // patch]

    def meets(layer: dict[str, Any]) -> bool:
        if not fits(layer, input_shape) or list(output_shape(layer, input_shape)) != target:
            return False
        stride, pad, size = layer.get("stride", 1), layer.get("padding", 0), layer["kernel_size"]
        return uses_once(height, size, stride, pad) and uses_once(width, size, stride, pad)

    key = _with(base, stride=patch)
    candidates = [
        (dict(base), mistakes.OVERLAPPING_PATCHES.id),
        (_with(base, kernel_size=1, stride=patch), mistakes.STRIDE_SKIPS_PIXELS.id),
        (_with(base, kernel_size=2 * patch, stride=patch), mistakes.OVERLAPPING_PATCHES.id),
        (_with(base, stride=patch, padding=patch // 2), mistakes.PADDING_STRIDE_CONFUSED.id),
        (_with(base, kernel_size=patch * patch, stride=patch), mistakes.ARGUMENT_ROLE_CONFUSED.id),
    ]

    def reasons(layer: dict[str, Any]) -> str:
        if not fits(layer, input_shape):
            return "does not run on x."
        shape = output_shape(layer, input_shape)
        stride, pad, size = layer.get("stride", 1), layer.get("padding", 0), layer["kernel_size"]
        if stride < size:
            how = "windows overlap (stride < kernel_size)"
        elif stride > size:
            how = "pixels between windows are skipped (stride > kernel_size)"
        elif pad:
            how = "the padding shifts the windows off the patch grid"
        else:
            how = "every pixel is used exactly once"
        verdict = "✓" if meets(layer) else "✗"
        return f"gives {_shape(shape)}; {how} {verdict}"

    return _scenario_variant(
        generator,
        rng,
        seed,
        difficulty,
        template="patches",
        base=base,
        input_shape=input_shape,
        goal=(
            f"You want one output per non-overlapping {patch}×{patch} patch of x (like a vision "
            f"transformer's patch embedding): `y.shape` {_shape(target)}, every input pixel "
            "used by exactly one window. Which layer does it?"
        ),
        key=key,
        candidates=candidates,
        meets=meets,
        requirement={"output_shape": target, "coverage": "once"},
        reasons=reasons,
        hints=[
            "How far must the window move so that two windows never share a pixel?",
            "Does the window need padding if the patches tile the image exactly?",
        ],
        step_one=(
            f"{height}×{width} splits into {height // patch}×{width // patch} patches of "
            f"{patch}×{patch}: the window must be {patch}×{patch} and move exactly "
            f"{patch} pixels, with no padding."
        ),
    )


def _bias_count(
    generator: Generator,
    rng: QuestionRandom,
    seed: int,
    difficulty: Difficulty,
    ranges: Mapping[str, IntRange],
) -> Variant:
    layer, input_shape = _draw_layer(rng, ranges)
    shape = output_shape(layer, input_shape)
    out_channels, in_channels = layer["out_channels"], layer["in_channels"]
    kernel = layer["kernel_size"]

    def text(count: int) -> str:
        return f"{count} parameters"

    key = out_channels
    candidates = [
        (
            text(out_channels * in_channels * kernel * kernel),
            out_channels * in_channels * kernel * kernel,
            mistakes.BIAS_PER_WEIGHT.id,
        ),
        (
            text(out_channels * shape[2] * shape[3]),
            out_channels * shape[2] * shape[3],
            mistakes.BIAS_PER_PIXEL.id,
        ),
        (text(in_channels), in_channels, mistakes.BIAS_PER_INPUT_CHANNEL.id),
        (text(1), 1, mistakes.BIAS_PER_WEIGHT.id),
        (
            text(out_channels * kernel * kernel),
            out_channels * kernel * kernel,
            mistakes.BIAS_PER_WEIGHT.id,
        ),
    ]
    picked, claims = _pick((text(key), key), candidates)
    choices = build_choices(rng, text(key), picked)
    prompt = (
        "A `nn.BatchNorm2d` will follow this layer, and its shift makes the convolution's bias "
        "redundant. How many learnable parameters does `bias=False` remove?\n\n"
        + _code(layer, input_shape)
    )
    params = {
        "template": "bias_count",
        "layer": layer,
        "input_shape": input_shape,
        "_quick": (
            f"`conv.bias.shape` is `torch.Size([{out_channels}])`; with bias=False, "
            "`conv.bias` is None. [OK]"
        ),
    }
    steps = [
        SolutionStep(
            "Step 1: Where the biases live",
            "Each filter has one bias, added to every position of its output map.",
        ),
        SolutionStep(
            "Step 2: Count them",
            f"out_channels = {out_channels} filters → {out_channels} biases. The "
            f"{out_channels * in_channels * kernel * kernel} weights and the "
            f"{shape[2]}×{shape[3]} map size do not matter.",
        ),
    ]
    return _variant(
        generator,
        seed,
        difficulty,
        params,
        prompt,
        choices,
        claims,
        steps,
        [
            "How many constants does one filter add to its whole output map?",
            "Does the number of biases depend on the input size?",
        ],
    )


Template = Callable[[Generator, QuestionRandom, int, Difficulty, Mapping[str, IntRange]], Variant]
_TEMPLATES: dict[Difficulty, tuple[Template, ...]] = {
    E: (_definition, _which_argument, _value_meaning),
    M: (_change_shape, _property, _effect),
    H: (_downsample, _dilation_window, _groups_weights, _patches, _bias_count),
}


GENERATOR = ConceptsGenerator()
