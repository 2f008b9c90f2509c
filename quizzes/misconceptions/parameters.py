"""Mistakes in counting a Conv2d's parameters and multiply-accumulate operations (MACs).

Right answers: parameters = out_channels · (in_channels / groups) · kh · kw (+ out_channels with
bias); MACs = (in_channels / groups) · kh · kw per output value, times out_channels · H_out ·
W_out · N. Parameter mistakes take (in_channels, out_channels, kh, kw, groups, bias); MAC mistakes
take (in_channels, out_channels, kh, kw, groups, bias, in_h, in_w, out_h, out_w, batch). Each
returns the wrong count, or None where the mistake changes nothing.
"""

from __future__ import annotations

from quizzes.misconceptions import Misconception, register


def _params_forgot_bias(
    in_c: int, out_c: int, kh: int, kw: int, groups: int, bias: bool
) -> int | None:
    if not bias:
        return None
    return out_c * (in_c // groups) * kh * kw


def _params_forgot_in_channels(
    in_c: int, out_c: int, kh: int, kw: int, groups: int, bias: bool
) -> int | None:
    if in_c // groups == 1:
        return None
    return out_c * kh * kw + (out_c if bias else 0)


def _params_kernel_not_squared(
    in_c: int, out_c: int, kh: int, kw: int, groups: int, bias: bool
) -> int | None:
    if kh != kw or kh == 1:
        return None
    return out_c * (in_c // groups) * kh + (out_c if bias else 0)


def _params_bias_when_disabled(
    in_c: int, out_c: int, kh: int, kw: int, groups: int, bias: bool
) -> int | None:
    if bias:
        return None
    return out_c * (in_c // groups) * kh * kw + out_c


def _params_ignored_groups(
    in_c: int, out_c: int, kh: int, kw: int, groups: int, bias: bool
) -> int | None:
    if groups == 1:
        return None
    return out_c * in_c * kh * kw + (out_c if bias else 0)


def _params_groups_divided_twice(
    in_c: int, out_c: int, kh: int, kw: int, groups: int, bias: bool
) -> int | None:
    if groups == 1:
        return None
    return (out_c // groups) * (in_c // groups) * kh * kw + (out_c if bias else 0)


def _macs(per_output: int, out_c: int, out_h: int, out_w: int, batch: int) -> int:
    return per_output * out_c * out_h * out_w * batch


def _macs_used_input_size(
    in_c: int,
    out_c: int,
    kh: int,
    kw: int,
    groups: int,
    bias: bool,
    in_h: int,
    in_w: int,
    out_h: int,
    out_w: int,
    batch: int,
) -> int | None:
    if (in_h, in_w) == (out_h, out_w):
        return None
    return _macs((in_c // groups) * kh * kw, out_c, in_h, in_w, batch)


def _macs_forgot_in_channels(
    in_c: int,
    out_c: int,
    kh: int,
    kw: int,
    groups: int,
    bias: bool,
    in_h: int,
    in_w: int,
    out_h: int,
    out_w: int,
    batch: int,
) -> int | None:
    if in_c // groups == 1:
        return None
    return _macs(kh * kw, out_c, out_h, out_w, batch)


def _macs_ignored_groups(
    in_c: int,
    out_c: int,
    kh: int,
    kw: int,
    groups: int,
    bias: bool,
    in_h: int,
    in_w: int,
    out_h: int,
    out_w: int,
    batch: int,
) -> int | None:
    if groups == 1:
        return None
    return _macs(in_c * kh * kw, out_c, out_h, out_w, batch)


def _macs_forgot_out_channels(
    in_c: int,
    out_c: int,
    kh: int,
    kw: int,
    groups: int,
    bias: bool,
    in_h: int,
    in_w: int,
    out_h: int,
    out_w: int,
    batch: int,
) -> int | None:
    if out_c == 1:
        return None
    return _macs((in_c // groups) * kh * kw, 1, out_h, out_w, batch)


def _macs_counted_bias(
    in_c: int,
    out_c: int,
    kh: int,
    kw: int,
    groups: int,
    bias: bool,
    in_h: int,
    in_w: int,
    out_h: int,
    out_w: int,
    batch: int,
) -> int | None:
    if not bias:
        return None
    return _macs((in_c // groups) * kh * kw + 1, out_c, out_h, out_w, batch)


def _macs_forgot_batch(
    in_c: int,
    out_c: int,
    kh: int,
    kw: int,
    groups: int,
    bias: bool,
    in_h: int,
    in_w: int,
    out_h: int,
    out_w: int,
    batch: int,
) -> int | None:
    if batch == 1:
        return None
    return _macs((in_c // groups) * kh * kw, out_c, out_h, out_w, 1)


FORGOT_BIAS = register(
    Misconception(
        id="count_forgot_bias",
        title="Forgot the bias",
        explanation=(
            "nn.Conv2d has bias=True by default: one extra learnable number per output channel, "
            "so add out_channels to the weight count."
        ),
        hint="Besides the weights, what else does each output channel learn?",
        wrong_answer=_params_forgot_bias,
    )
)
FORGOT_IN_CHANNELS = register(
    Misconception(
        id="count_forgot_in_channels",
        title="Forgot the in_channels factor",
        explanation=(
            "Each filter spans every input channel of its group: its weights have shape "
            "(in_channels / groups, kh, kw), not (kh, kw)."
        ),
        hint="How many input channels does one filter look at?",
        wrong_answer=_params_forgot_in_channels,
    )
)
KERNEL_NOT_SQUARED = register(
    Misconception(
        id="count_kernel_not_squared",
        title="Counted the kernel size once instead of kh × kw",
        explanation="kernel_size=k means a k × k window: k² weights per input channel.",
        hint="How many weights are in one k × k window?",
        wrong_answer=_params_kernel_not_squared,
    )
)
BIAS_WHEN_DISABLED = register(
    Misconception(
        id="count_bias_when_disabled",
        title="Counted a bias the layer does not have",
        explanation="bias=False removes the bias: only the weights are learnable.",
        hint="Read the layer's arguments again: does it have a bias?",
        wrong_answer=_params_bias_when_disabled,
    )
)
IGNORED_GROUPS = register(
    Misconception(
        id="count_ignored_groups",
        title="Ignored groups",
        explanation=(
            "With groups=g each filter sees only in_channels / g input channels, so the weights "
            "(and the MACs) are divided by g."
        ),
        hint="With groups, how many input channels does one filter see?",
        wrong_answer=_params_ignored_groups,
    )
)
GROUPS_DIVIDED_TWICE = register(
    Misconception(
        id="count_groups_divided_twice",
        title="Divided by groups twice",
        explanation=(
            "groups splits the input channels each filter sees, but there are still "
            "out_channels filters in total: divide in_channels by g, not out_channels too."
        ),
        hint="How many filters does the layer have in total, whatever groups is?",
        wrong_answer=_params_groups_divided_twice,
    )
)
MACS_USED_INPUT_SIZE = register(
    Misconception(
        id="macs_used_input_size",
        title="Counted MACs with the input size instead of the output size",
        explanation=(
            "The kernel does its multiply-accumulates once per OUTPUT position: multiply by "
            "H_out × W_out, which stride and padding change."
        ),
        hint="How many times is the kernel applied: once per input pixel or per output pixel?",
        wrong_answer=_macs_used_input_size,
    )
)
MACS_FORGOT_IN_CHANNELS = register(
    Misconception(
        id="macs_forgot_in_channels",
        title="Forgot the in_channels factor in the MACs",
        explanation=(
            "One output value is a dot product over (in_channels / groups) × kh × kw inputs: "
            "every input channel of the group contributes."
        ),
        hint="How many multiplications make one output value?",
        wrong_answer=_macs_forgot_in_channels,
    )
)
MACS_IGNORED_GROUPS = register(
    Misconception(
        id="macs_ignored_groups",
        title="Ignored groups in the MACs",
        explanation="With groups=g each output value uses only in_channels / g input channels.",
        hint="With groups, how many input channels feed one output value?",
        wrong_answer=_macs_ignored_groups,
    )
)
MACS_FORGOT_OUT_CHANNELS = register(
    Misconception(
        id="macs_forgot_out_channels",
        title="Counted one output channel only",
        explanation="Every output channel is computed: multiply by out_channels.",
        hint="How many output maps does the layer compute?",
        wrong_answer=_macs_forgot_out_channels,
    )
)
MACS_COUNTED_BIAS = register(
    Misconception(
        id="macs_counted_bias",
        title="Counted the bias as a multiply-accumulate",
        explanation=(
            "Adding the bias is one addition per output value, not a multiply-accumulate; the "
            "MAC count is the weights' work only."
        ),
        hint="Does adding the bias multiply anything?",
        wrong_answer=_macs_counted_bias,
    )
)
MACS_FORGOT_BATCH = register(
    Misconception(
        id="macs_forgot_batch",
        title="Counted one image instead of the whole batch",
        explanation="The layer runs on every sample of the batch: multiply by N.",
        hint="How many images does x hold?",
        wrong_answer=_macs_forgot_batch,
    )
)
COMPARED_ONE_LAYER = register(
    Misconception(
        id="count_compared_one_layer",
        title="Compared with one 3×3 layer instead of two",
        explanation=(
            "Two stacked 3×3 layers see a 5×5 region; both layers' parameters count, so the "
            "stack costs 2 × (9·C·C + bias)."
        ),
        hint="How many 3×3 layers does it take to see as far as one 5×5?",
    )
)

#: Most common first: the first misconception giving a wrong count names it.
PARAMETER_MISTAKES = (
    FORGOT_BIAS,
    FORGOT_IN_CHANNELS,
    IGNORED_GROUPS,
    BIAS_WHEN_DISABLED,
    KERNEL_NOT_SQUARED,
    GROUPS_DIVIDED_TWICE,
)
MAC_MISTAKES = (
    MACS_USED_INPUT_SIZE,
    MACS_FORGOT_IN_CHANNELS,
    MACS_IGNORED_GROUPS,
    MACS_FORGOT_BATCH,
    MACS_COUNTED_BIAS,
    MACS_FORGOT_OUT_CHANNELS,
)
_PARAMETER_FUNCTIONS = tuple((m.id, m.wrong_answer) for m in PARAMETER_MISTAKES)
_MAC_FUNCTIONS = tuple((m.id, m.wrong_answer) for m in MAC_MISTAKES)


def parameter_mistakes(
    in_c: int, out_c: int, kh: int, kw: int, groups: int, bias: bool
) -> list[tuple[str, int]]:
    """(misconception id, wrong parameter count) for every mistake that changes the count."""
    result = []
    for identifier, wrong_answer in _PARAMETER_FUNCTIONS:
        wrong = wrong_answer(in_c, out_c, kh, kw, groups, bias)
        if wrong is not None:
            result.append((identifier, wrong))
    return result


def mac_mistakes(
    in_c: int,
    out_c: int,
    kh: int,
    kw: int,
    groups: int,
    bias: bool,
    in_h: int,
    in_w: int,
    out_h: int,
    out_w: int,
    batch: int,
) -> list[tuple[str, int]]:
    """(misconception id, wrong MAC count) for every mistake that changes the count."""
    result = []
    for identifier, wrong_answer in _MAC_FUNCTIONS:
        wrong = wrong_answer(in_c, out_c, kh, kw, groups, bias, in_h, in_w, out_h, out_w, batch)
        if wrong is not None:
            result.append((identifier, wrong))
    return result
