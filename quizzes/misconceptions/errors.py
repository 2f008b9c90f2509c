"""Wrong beliefs about when nn.Conv2d and the pooling layers refuse to run, and what they say.

Used by the error-diagnosis family (family 5). Each ``wrong_answer`` takes the question's params
(``layer``, ``kwargs``, ``input_shape``) and returns the outcome the mistaken belief predicts: an
output shape (a tuple) for "it runs", the short error text the student expects for "it raises",
or None where the belief changes nothing for these params.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quizzes.misconceptions import Misconception, register
from quizzes.shapes import as_pair, ceil_div, conv_output_size

# The short "Type: text" each error option shows: the stable part of torch 2.13's message.
KERNEL_TOO_LARGE_TEXT = "RuntimeError: Kernel size can't be greater than actual input size"
POOL_PADDING_TEXT = "RuntimeError: pad should be at most half of effective kernel size"
POOL_TOO_SMALL_TEXT = "RuntimeError: Output size is too small"
REFLECT_TEXT = "RuntimeError: Padding size should be less than the corresponding input dimension"
CIRCULAR_TEXT = "RuntimeError: Padding value causes wrapping around more than once."
SAME_STRIDE_TEXT = "ValueError: padding='same' is not supported for strided convolutions"
INPUT_DIMENSIONS_TEXT = "RuntimeError: Expected 3D (unbatched) or 4D (batched) input to conv2d"
GROUPS_IN_TEXT = "ValueError: in_channels must be divisible by groups"
GROUPS_OUT_TEXT = "ValueError: out_channels must be divisible by groups"


def channel_text(seen_shape: tuple[int, ...] | list[int], expected: int, channels: int) -> str:
    """The channel-check fragment of torch's message, for the input shape conv2d sees."""
    shown = ", ".join(str(size) for size in seen_shape)
    return (
        f"RuntimeError: expected input[{shown}] to have {expected} channels, "
        f"but got {channels} channels instead"
    )


def conv_seen_shape(params: Mapping[str, Any]) -> tuple[int, ...]:
    """The input as F.conv2d sees it: unbatched gets N = 1, non-zero padding modes pad first."""
    kwargs = params["kwargs"]
    shape = list(params["input_shape"])
    if len(shape) == 3:
        shape.insert(0, 1)
    padding = kwargs.get("padding", 0)
    if kwargs.get("padding_mode", "zeros") != "zeros" and not isinstance(padding, str):
        pads = as_pair(padding)
        shape[2] += 2 * pads[0]
        shape[3] += 2 * pads[1]
    return tuple(shape)


def _spatial(params: Mapping[str, Any]) -> tuple[int, int]:
    shape = params["input_shape"]
    return shape[-2], shape[-1]


def _conv_shape_ignoring_checks(params: Mapping[str, Any]) -> tuple[int, ...]:
    """The shape the formula gives when every check is skipped (sizes below 0 shown as 0).

    Works for nn.Conv2d params and for pooling params (no out_channels; stride defaults to the
    kernel size; the channel dimension is kept).
    """
    kwargs = params["kwargs"]
    shape = params["input_shape"]
    height, width = _spatial(params)
    kernel = as_pair(kwargs["kernel_size"])
    is_conv = "out_channels" in kwargs
    default_stride = 1 if is_conv else kwargs["kernel_size"]
    stride = as_pair(kwargs.get("stride") or default_stride)
    dilation = as_pair(kwargs.get("dilation", 1))
    padding = kwargs.get("padding", 0)
    if padding == "same":
        sizes = (ceil_div(height, stride[0]), ceil_div(width, stride[1]))
    else:
        pads = (0, 0) if padding == "valid" else as_pair(padding)
        sizes = (
            max(0, conv_output_size(height, kernel[0], stride[0], pads[0], dilation[0])),
            max(0, conv_output_size(width, kernel[1], stride[1], pads[1], dilation[1])),
        )
    if not is_conv:
        return (*shape[:-2], *sizes)
    return (*shape[:-3], kwargs["out_channels"], *sizes)


def _oversized_kernel_gives_empty(params: Mapping[str, Any]) -> tuple[int, ...] | None:
    shape = _conv_shape_ignoring_checks(params)
    return shape if 0 in shape[-2:] else None


def _kernel_against_unpadded_input(params: Mapping[str, Any]) -> str | None:
    kwargs = params["kwargs"]
    padding = kwargs.get("padding", 0)
    if padding in ("valid", 0):
        return None
    kernel = as_pair(kwargs["kernel_size"])
    dilation = as_pair(kwargs.get("dilation", 1))
    height, width = _spatial(params)
    spans = (dilation[0] * (kernel[0] - 1) + 1, dilation[1] * (kernel[1] - 1) + 1)
    if height < spans[0] or width < spans[1]:
        return KERNEL_TOO_LARGE_TEXT
    return None


def _conv_padding_limit(params: Mapping[str, Any]) -> str | None:
    kwargs = params["kwargs"]
    padding = kwargs.get("padding", 0)
    if isinstance(padding, str):
        return None
    kernel = as_pair(kwargs["kernel_size"])
    pads = as_pair(padding)
    if pads[0] > kernel[0] // 2 or pads[1] > kernel[1] // 2:
        return POOL_PADDING_TEXT
    return None


def _channels_not_checked(params: Mapping[str, Any]) -> tuple[int, ...] | None:
    channels = params["input_shape"][-3] if len(params["input_shape"]) >= 3 else None
    if channels is None or channels == params["kwargs"]["in_channels"]:
        return None
    return _conv_shape_ignoring_checks(params)


def _channels_checked_against_out(params: Mapping[str, Any]) -> str | None:
    kwargs = params["kwargs"]
    if len(params["input_shape"]) < 3 or "out_channels" not in kwargs:
        return None
    channels = params["input_shape"][-3]
    if channels == kwargs["out_channels"]:
        return None
    return channel_text(conv_seen_shape(params), kwargs["out_channels"], channels)


def _same_with_stride(params: Mapping[str, Any]) -> tuple[int, ...] | None:
    kwargs = params["kwargs"]
    if kwargs.get("padding") != "same" or kwargs.get("stride", 1) == 1:
        return None
    return _conv_shape_ignoring_checks(params)


def _padding_mode_no_limit(params: Mapping[str, Any]) -> tuple[int, ...] | None:
    if params["kwargs"].get("padding_mode", "zeros") not in ("reflect", "circular"):
        return None
    return _conv_shape_ignoring_checks(params)


def _replicate_limited_like_reflect(params: Mapping[str, Any]) -> str | None:
    kwargs = params["kwargs"]
    if kwargs.get("padding_mode") != "replicate":
        return None
    pads = as_pair(kwargs.get("padding", 0))
    height, width = _spatial(params)
    return REFLECT_TEXT if pads[0] >= height or pads[1] >= width else None


def _reflect_limit_misjudged(params: Mapping[str, Any]) -> str | None:
    kwargs = params["kwargs"]
    if kwargs.get("padding_mode") not in ("reflect", "circular"):
        return None
    return REFLECT_TEXT if kwargs["padding_mode"] == "reflect" else CIRCULAR_TEXT


def _pool_padding_like_conv(params: Mapping[str, Any]) -> tuple[int, ...] | None:
    return _conv_shape_ignoring_checks(params)


def _batch_dimension_required(params: Mapping[str, Any]) -> str | None:
    return INPUT_DIMENSIONS_TEXT if len(params["input_shape"]) == 3 else None


def _missing_channel_dimension(params: Mapping[str, Any]) -> tuple[int, ...] | None:
    if len(params["input_shape"]) != 2:
        return None
    return _conv_shape_ignoring_checks({**params, "input_shape": [1, *params["input_shape"]]})


def _groups_not_checked(params: Mapping[str, Any]) -> tuple[int, ...] | None:
    kwargs = params["kwargs"]
    groups = kwargs.get("groups", 1)
    if kwargs["in_channels"] % groups == 0 and kwargs["out_channels"] % groups == 0:
        return None
    return _conv_shape_ignoring_checks(params)


def _kernel_shrinks_to_fit(params: Mapping[str, Any]) -> tuple[int, ...] | None:
    shape = _conv_shape_ignoring_checks(params)
    if min(shape[-2:]) > 0:
        return None
    return (*shape[:-2], max(1, shape[-2]), max(1, shape[-1]))


def _assumed_same_size(params: Mapping[str, Any]) -> tuple[int, ...] | None:
    if len(params["input_shape"]) < 3 or "out_channels" not in params["kwargs"]:
        return None
    height, width = _spatial(params)
    return (*params["input_shape"][:-3], params["kwargs"]["out_channels"], height, width)


OVERSIZED_KERNEL_GIVES_EMPTY = register(
    Misconception(
        id="oversized_kernel_gives_empty",
        title="Expected an empty output from a kernel that does not fit",
        explanation=(
            "When the (dilated) kernel is larger than the padded input, the formula gives 0 or "
            'less, but torch does not return an empty tensor: it raises RuntimeError ("Kernel '
            'size can\'t be greater than actual input size"; pooling says "Output size is too '
            'small").'
        ),
        hint="What does torch do when not even one window fits?",
        wrong_answer=_oversized_kernel_gives_empty,
    )
)
FIT_IGNORES_PADDING = register(
    Misconception(
        id="fit_ignores_padding",
        title="Checked the kernel against the unpadded input",
        explanation=(
            "The kernel only has to fit the padded input: H + 2·padding (and W + 2·padding) must "
            "be at least dilation·(kernel_size − 1) + 1."
        ),
        hint="Which input does the kernel slide over: the original, or the padded one?",
        wrong_answer=_kernel_against_unpadded_input,
    )
)
CONV_PADDING_LIMIT = register(
    Misconception(
        id="conv_padding_limit",
        title="Thought Conv2d limits padding to half the kernel",
        explanation=(
            "Only the pooling layers require padding ≤ kernel_size // 2. nn.Conv2d accepts any "
            "padding: extra padding just adds border rows and columns, and the output grows."
        ),
        hint="Is the 'at most half the kernel' rule about convolutions or about pooling?",
        wrong_answer=_conv_padding_limit,
    )
)
CHANNELS_NOT_CHECKED = register(
    Misconception(
        id="channels_not_checked",
        title="Ignored the channel check",
        explanation=(
            "Each filter has exactly in_channels input planes, so the input's channel dimension "
            "(dim 1, or dim 0 unbatched) must equal in_channels; otherwise torch raises "
            "RuntimeError before computing anything."
        ),
        hint="How many channels does each filter expect, and how many does x have?",
        wrong_answer=_channels_not_checked,
    )
)
CHANNELS_CHECKED_AGAINST_OUT = register(
    Misconception(
        id="channels_checked_against_out",
        title="Compared the input's channels with out_channels",
        explanation=(
            "nn.Conv2d(in_channels, out_channels, ...): the input must have in_channels "
            "channels; out_channels is the number of filters, which only sets the output's "
            "channel dimension."
        ),
        hint="Which of the two channel arguments describes the input?",
        wrong_answer=_channels_checked_against_out,
    )
)
SAME_WITH_STRIDE = register(
    Misconception(
        id="same_with_stride",
        title="Assumed padding='same' works with stride > 1",
        explanation=(
            "PyTorch refuses padding='same' for strided convolutions: building the layer raises "
            "ValueError (\"padding='same' is not supported for strided convolutions\"). Use an "
            "explicit padding such as (kernel_size − 1) // 2 instead."
        ),
        hint="Does torch allow padding='same' for every stride?",
        wrong_answer=_same_with_stride,
    )
)
PADDING_MODE_NO_LIMIT = register(
    Misconception(
        id="padding_mode_no_limit",
        title="Thought reflect or circular padding works at any size",
        explanation=(
            "Reflect padding mirrors pixels inside the input, so each padding must be smaller "
            "than the dimension it pads (padding < size); circular padding wraps around at most "
            "once (padding ≤ size). Zero and replicate padding have no such limit."
        ),
        hint="Where do the padded values come from in this padding mode, and are there enough?",
        wrong_answer=_padding_mode_no_limit,
    )
)
REFLECT_LIMIT_MISJUDGED = register(
    Misconception(
        id="reflect_limit_misjudged",
        title="Misjudged the reflect/circular padding limit",
        explanation=(
            "Reflect padding only needs padding < size (a size-4 dimension takes padding up to "
            "3); circular padding needs padding ≤ size. Compare the padding with the input "
            "dimension itself, not with half of it or with the kernel."
        ),
        hint="What is the largest padding this mode can take for this input size?",
        wrong_answer=_reflect_limit_misjudged,
    )
)
REPLICATE_LIMITED_LIKE_REFLECT = register(
    Misconception(
        id="replicate_limited_like_reflect",
        title="Gave replicate padding the reflect limit",
        explanation=(
            "padding_mode='replicate' repeats the edge pixel, which works for any amount of "
            "padding; only 'reflect' (padding < size) and 'circular' (padding ≤ size) are limited."
        ),
        hint="To replicate an edge pixel ten times, how many input pixels do you need?",
        wrong_answer=_replicate_limited_like_reflect,
    )
)
POOL_PADDING_LIKE_CONV = register(
    Misconception(
        id="pool_padding_like_conv",
        title="Padded a pooling layer like a convolution",
        explanation=(
            "MaxPool2d and AvgPool2d require padding ≤ kernel_size // 2 in each dimension "
            '(torch: "pad should be at most half of effective kernel size"); a window made '
            "mostly of padding would have nothing to pool."
        ),
        hint="Do pooling layers accept as much padding as nn.Conv2d does?",
        wrong_answer=_pool_padding_like_conv,
    )
)
BATCH_DIMENSION_REQUIRED = register(
    Misconception(
        id="batch_dimension_required",
        title="Thought Conv2d needs a batch dimension",
        explanation=(
            "nn.Conv2d also accepts an unbatched (C, H, W) input and returns (C_out, H_out, "
            "W_out): only inputs that are neither 3D nor 4D are refused."
        ),
        hint="Which input ranks does nn.Conv2d accept?",
        wrong_answer=_batch_dimension_required,
    )
)
MISSING_CHANNEL_DIMENSION = register(
    Misconception(
        id="missing_channel_dimension",
        title="Fed a 2D (H, W) image to Conv2d",
        explanation=(
            "nn.Conv2d needs (C, H, W) or (N, C, H, W); a bare (H, W) grayscale image needs "
            "x.unsqueeze(0) (and usually another for the batch) first."
        ),
        hint="How many dimensions does x have, and which ones does Conv2d expect?",
        wrong_answer=_missing_channel_dimension,
    )
)
GROUPS_NOT_CHECKED = register(
    Misconception(
        id="groups_not_checked",
        title="Ignored that groups must divide the channel counts",
        explanation=(
            "With groups=g the channels are split into g equal groups, so in_channels and "
            "out_channels must both be divisible by g; the constructor raises ValueError if not."
        ),
        hint="Can the channels be split into that many equal groups?",
        wrong_answer=_groups_not_checked,
    )
)
WRONG_CHECK_ORDER = register(
    Misconception(
        id="wrong_check_order",
        title="Picked the check torch does later",
        explanation=(
            "torch reports only the first check that fails, in this order: the constructor's "
            "arguments (groups, padding='same'), non-zero padding modes (applied before the "
            "convolution), the input's rank and channels, then whether the kernel fits."
        ),
        hint="When two things are wrong, which check does torch reach first?",
    )
)
KERNEL_SHRINKS_TO_FIT = register(
    Misconception(
        id="kernel_shrinks_to_fit",
        title="Thought torch shrinks or pads the kernel to fit",
        explanation=(
            "torch never adjusts the kernel or pads on its own: if the kernel does not fit the "
            "padded input, the forward pass raises RuntimeError."
        ),
        hint="Does nn.Conv2d ever change its own kernel_size or padding?",
        wrong_answer=_kernel_shrinks_to_fit,
    )
)
ASSUMED_SAME_SIZE = register(
    Misconception(
        id="assumed_same_size",
        title="Assumed the output keeps H and W",
        explanation=(
            "Only padding chosen to match the kernel (or padding='same' with stride 1) keeps the "
            "size; otherwise work H_out and W_out out with the output-size formula."
        ),
        hint="out = ⌊(in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1",
        wrong_answer=_assumed_same_size,
    )
)
WRONG_ERROR_REASON = register(
    Misconception(
        id="wrong_error_reason",
        title="Blamed a check that passes here",
        explanation=(
            "That error comes from a check these arguments pass. Go through torch's checks one by "
            "one with the actual numbers; the first one that fails is the error you see."
        ),
        hint="Test each check with the numbers in the code, not by the look of the layer.",
    )
)
