"""Shape arithmetic of PyTorch's convolution and pooling layers, as plain functions.

Every formula here is the one in the PyTorch docs for the layer it names, and every one is
property-tested against torch itself. Functions return the size torch would produce; sizes below 1
mean torch refuses to run the layer (see ``conv_fits``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

IntOrPair = int | tuple[int, int]


def as_pair(value: IntOrPair) -> tuple[int, int]:
    """Expand an int argument to the (height, width) pair torch uses internally."""
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def conv_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """One spatial dimension of nn.Conv1d/2d/3d's output (floor division, as torch does)."""
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """How many input pixels one dilated kernel window spans."""
    return dilation * (kernel_size - 1) + 1


def conv_fits(size: int, kernel_size: int, padding: int = 0, dilation: int = 1) -> bool:
    """Whether the (dilated) kernel fits in the padded input, which torch requires."""
    return size + 2 * padding >= effective_kernel_size(kernel_size, dilation)


def conv2d_output_shape(
    input_shape: Sequence[int],
    out_channels: int,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> tuple[int, ...]:
    """Full nn.Conv2d output shape for an (N, C, H, W) or unbatched (C, H, W) input."""
    kernel, strides, pads, dilations = (
        as_pair(kernel_size),
        as_pair(stride),
        as_pair(padding),
        as_pair(dilation),
    )
    *leading, height, width = input_shape
    out_height = conv_output_size(height, kernel[0], strides[0], pads[0], dilations[0])
    out_width = conv_output_size(width, kernel[1], strides[1], pads[1], dilations[1])
    return (*leading[:-1], out_channels, out_height, out_width)


def pool_output_size(
    size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """One dimension of nn.MaxPool2d / nn.AvgPool2d output (stride defaults to kernel_size).

    With ``ceil_mode`` torch rounds up, but drops a last window that would start entirely in the
    right padding: that is the extra check below, straight from ATen's pooling_output_shape.
    """
    stride = kernel_size if stride is None else stride
    numerator = size + 2 * padding - dilation * (kernel_size - 1) - 1
    if ceil_mode:
        out = -(-numerator // stride) + 1
        if (out - 1) * stride >= size + padding:
            out -= 1
        return out
    return numerator // stride + 1


def conv_transpose_output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """One dimension of nn.ConvTranspose2d's output, as in the PyTorch docs."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1


def same_padding_total(kernel_size: int, dilation: int = 1) -> int:
    """Total padding (both sides together) that keeps the size at stride 1."""
    return dilation * (kernel_size - 1)


def same_padding_split(kernel_size: int, dilation: int = 1) -> tuple[int, int]:
    """How torch's ``padding='same'`` splits the total: the extra pixel goes on the right/bottom."""
    total = same_padding_total(kernel_size, dilation)
    left = total // 2
    return (left, total - left)


@dataclass(frozen=True)
class ReceptiveLayer:
    """One layer's contribution to a receptive field: kernel, stride and dilation."""

    kernel_size: int
    stride: int = 1
    dilation: int = 1


def receptive_field(layers: Sequence[ReceptiveLayer]) -> int:
    """Receptive field (in input pixels) of one output pixel after a stack of layers.

    r_out = r_in + (effective_kernel - 1) * jump, where jump is the product of earlier strides.
    """
    field, jump = 1, 1
    for layer in layers:
        field += (effective_kernel_size(layer.kernel_size, layer.dilation) - 1) * jump
        jump *= layer.stride
    return field


def conv2d_parameter_count(
    in_channels: int,
    out_channels: int,
    kernel_size: IntOrPair,
    groups: int = 1,
    bias: bool = True,
) -> int:
    """Learnable parameters of nn.Conv2d: weights (out, in/groups, kh, kw) plus one bias per out."""
    kernel_height, kernel_width = as_pair(kernel_size)
    weights = out_channels * (in_channels // groups) * kernel_height * kernel_width
    return weights + (out_channels if bias else 0)


def conv2d_multiply_accumulates(
    in_channels: int,
    out_channels: int,
    kernel_size: IntOrPair,
    output_height: int,
    output_width: int,
    groups: int = 1,
) -> int:
    """Multiply-accumulate operations of one forward pass for one sample (bias adds excluded)."""
    kernel_height, kernel_width = as_pair(kernel_size)
    per_output = (in_channels // groups) * kernel_height * kernel_width
    return per_output * out_channels * output_height * output_width


def ceil_div(numerator: int, denominator: int) -> int:
    """Integer ceiling division (used by misconceptions that round the wrong way)."""
    return -(-numerator // denominator)


def true_ratio(numerator: int, denominator: int) -> float:
    """Exact quotient, for worked solutions that show the value before flooring."""
    return numerator / denominator


__all__ = [
    "IntOrPair",
    "ReceptiveLayer",
    "as_pair",
    "ceil_div",
    "conv2d_multiply_accumulates",
    "conv2d_output_shape",
    "conv2d_parameter_count",
    "conv_fits",
    "conv_output_size",
    "conv_transpose_output_size",
    "effective_kernel_size",
    "pool_output_size",
    "receptive_field",
    "same_padding_split",
    "same_padding_total",
    "true_ratio",
]
