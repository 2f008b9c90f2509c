"""The shape arithmetic in quizzes/shapes.py, checked against what torch itself does."""

from __future__ import annotations

import pytest
import torch
from hypothesis import event, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from quizzes.shapes import (
    ReceptiveLayer,
    as_pair,
    ceil_div,
    conv2d_multiply_accumulates,
    conv2d_output_shape,
    conv2d_parameter_count,
    conv_fits,
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    pool_output_size,
    receptive_field,
    same_padding_split,
    same_padding_total,
    true_ratio,
)

SIZES = st.integers(1, 300)
KERNELS = st.integers(1, 11)
STRIDES = st.integers(1, 6)
PADDINGS = st.integers(0, 8)
DILATIONS = st.integers(1, 4)


def _meta(shape: tuple[int, ...]) -> torch.Tensor:
    return torch.empty(shape, device="meta")


# ---------------------------------------------------------------------------------------------
# Convolution


@settings(max_examples=1000, deadline=None)
@given(
    height=SIZES,
    width=SIZES,
    kernel=st.tuples(KERNELS, KERNELS),
    stride=st.tuples(STRIDES, STRIDES),
    padding=st.tuples(PADDINGS, PADDINGS),
    dilation=st.tuples(DILATIONS, DILATIONS),
    is_batched=st.booleans(),
)
def test_conv2d_output_shape_matches_torch(
    height: int,
    width: int,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    is_batched: bool,
) -> None:
    # Given an nn.Conv2d and an input, batched (N, C, H, W) or not (C, H, W)
    shape = (2, 3, height, width) if is_batched else (3, height, width)
    layer = nn.Conv2d(3, 5, kernel, stride, padding, dilation, device="meta")
    fits = conv_fits(height, kernel[0], padding[0], dilation[0]) and conv_fits(
        width, kernel[1], padding[1], dilation[1]
    )

    # When torch runs it, then it runs exactly when conv_fits says so, with our shape
    if fits:
        event("fits")
        expected = conv2d_output_shape(shape, 5, kernel, stride, padding, dilation)
        assert tuple(layer(_meta(shape)).shape) == expected
        assert expected[-2] == conv_output_size(
            height, kernel[0], stride[0], padding[0], dilation[0]
        )
        assert min(expected[-2:]) >= 1
    else:
        event("does not fit")
        with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input"):
            layer(_meta(shape))


def test_conv2d_output_shape_with_int_arguments() -> None:
    # The tutorial's example: 7×7, kernel 3, stride 2, padding 1 gives 4×4
    assert conv2d_output_shape((1, 1, 7, 7), 10, 3, 2, 1) == (1, 10, 4, 4)
    assert conv2d_output_shape((3, 28, 28), 6, 5) == (6, 24, 24)
    assert conv_output_size(28, 3, 2, 3) == 16  # seed 002's "error" runs and gives 16
    assert effective_kernel_size(3, 2) == 5
    assert conv_fits(1, 3) is False
    assert conv_fits(1, 3, padding=1) is True


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")
@settings(max_examples=150, deadline=None)
@given(size=st.integers(1, 40), kernel=st.integers(1, 8), dilation=st.integers(1, 4))
def test_same_padding_split_matches_torch_values(size: int, kernel: int, dilation: int) -> None:
    # Given padding='same' and a weight that picks only its first (then last) tap
    total = same_padding_total(kernel, dilation)
    before, after = same_padding_split(kernel, dilation)
    assert before + after == total
    length = total + 3
    found = []
    for tap in (0, -1):
        conv = nn.Conv1d(1, 1, kernel, padding="same", dilation=dilation, bias=False)
        with torch.no_grad():
            conv.weight.zero_()
            conv.weight[0, 0, tap] = 1
            output = conv(torch.ones(1, 1, length))[0, 0].tolist()
        assert len(output) == length  # 'same' keeps the size
        # When the output is read, then its zeros are the padding torch added on that side
        ordered = output if tap == 0 else output[::-1]
        found.append(next(index for index, value in enumerate(ordered) if value != 0))
    assert tuple(found) == (before, after)

    # and a 2-D layer with padding='same' keeps any size
    layer = nn.Conv2d(1, 1, kernel, padding="same", dilation=dilation, device="meta")
    assert tuple(layer(_meta((1, 1, size, size))).shape) == (1, 1, size, size)


# ---------------------------------------------------------------------------------------------
# Pooling


@settings(max_examples=1000, deadline=None)
@given(
    size=st.integers(1, 80),
    kernel=st.integers(1, 7),
    stride=st.one_of(st.none(), st.integers(1, 5)),
    padding_fraction=st.floats(0, 1),
    dilation=st.integers(1, 3),
    ceil_mode=st.booleans(),
)
def test_pool_output_size_matches_torch(
    size: int,
    kernel: int,
    stride: int | None,
    padding_fraction: float,
    dilation: int,
    ceil_mode: bool,
) -> None:
    # Given a pooling layer whose padding is within torch's limit (at most half the kernel)
    padding = int(padding_fraction * (kernel // 2))
    expected = pool_output_size(size, kernel, stride, padding, dilation, ceil_mode)
    layers = [nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil_mode)]
    if dilation == 1:
        layers.append(nn.AvgPool2d(kernel, stride, padding, ceil_mode=ceil_mode))

    for layer in layers:
        # When torch runs it, then it gives our size, or refuses exactly when ours is below 1
        if expected >= 1:
            event(f"runs, ceil_mode={ceil_mode}")
            assert tuple(layer(_meta((1, 2, size, size))).shape) == (1, 2, expected, expected)
        else:
            event("too small")
            with pytest.raises(RuntimeError, match="Output size is too small"):
                layer(torch.zeros(1, 2, size, size))


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "expected_floor", "expected_ceil"),
    [
        (5, 2, 2, 0, 2, 3),  # ceil_mode keeps the half window at the end
        (6, 2, 4, 1, 2, 2),  # rounded up to 3, but the 3rd window would start in the padding
        (7, 3, 2, 1, 4, 4),
        (32, 3, 2, 0, 15, 16),
    ],
)
def test_pool_ceil_mode_examples(
    size: int, kernel: int, stride: int, padding: int, expected_floor: int, expected_ceil: int
) -> None:
    for ceil_mode, expected in ((False, expected_floor), (True, expected_ceil)):
        assert pool_output_size(size, kernel, stride, padding, ceil_mode=ceil_mode) == expected
        layer = nn.MaxPool2d(kernel, stride, padding, ceil_mode=ceil_mode)
        assert layer(torch.zeros(1, 1, size, size)).shape[-1] == expected


# ---------------------------------------------------------------------------------------------
# Transposed convolution


@settings(max_examples=1000, deadline=None)
@given(
    size=st.integers(1, 64),
    kernel=KERNELS,
    stride=STRIDES,
    padding=PADDINGS,
    dilation=DILATIONS,
    output_padding_fraction=st.floats(0, 1, exclude_max=True),
)
def test_conv_transpose_output_size_matches_torch(
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    dilation: int,
    output_padding_fraction: float,
) -> None:
    # Given output_padding below max(stride, dilation), as torch requires
    output_padding = int(output_padding_fraction * max(stride, dilation))
    expected = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    layer = nn.ConvTranspose2d(
        2, 3, kernel, stride, padding, output_padding, dilation=dilation, device="meta"
    )

    # When torch runs it, then it gives our size (it refuses sizes below 1)
    if expected >= 1:
        event("runs")
        assert tuple(layer(_meta((1, 2, size, size))).shape) == (1, 3, expected, expected)
    else:
        event("negative size")
        with pytest.raises(RuntimeError):
            layer(_meta((1, 2, size, size)))


def test_conv_transpose_doubles_with_the_classic_settings() -> None:
    # kernel 3, stride 2, padding 1, output_padding 1 doubles any size
    for size in (1, 7, 16, 33):
        assert conv_transpose_output_size(size, 3, 2, 1, 1) == 2 * size
    assert conv_transpose_output_size(16, 4, 2, 1) == 32


# ---------------------------------------------------------------------------------------------
# Receptive field


def _brute_force_receptive_field(layers: list[ReceptiveLayer], length: int) -> int:
    """Input pixels that reach the first output pixel: the span of its nonzero gradient.

    Every weight is 1 and there is no padding, so no contribution can cancel out.
    """
    model = nn.Sequential(
        *(
            nn.Conv1d(1, 1, layer.kernel_size, layer.stride, dilation=layer.dilation, bias=False)
            for layer in layers
        )
    ).double()
    for parameter in model.parameters():
        parameter.data.fill_(1.0)
    inputs = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
    model(inputs)[0, 0, 0].backward()
    touched = inputs.grad[0, 0].nonzero().flatten().tolist()
    assert touched[0] == 0
    return touched[-1] - touched[0] + 1


LAYERS = st.lists(
    st.builds(ReceptiveLayer, st.integers(1, 5), st.integers(1, 3), st.integers(1, 3)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(layers=LAYERS)
def test_receptive_field_matches_brute_force(layers: list[ReceptiveLayer]) -> None:
    # Given a stack of 1-D convolutions, on an input long enough for every layer to run
    field = receptive_field(layers)
    length = field + 8

    # When the gradient of the first output pixel is traced back, then it spans our field
    assert _brute_force_receptive_field(layers, length) == field


def test_receptive_field_examples() -> None:
    # Two 3×3 convs see 5×5; three see 7×7; a stride-2 layer doubles what follows
    assert receptive_field([ReceptiveLayer(3)] * 2) == 5
    assert receptive_field([ReceptiveLayer(3)] * 3) == 7
    assert receptive_field([ReceptiveLayer(3, 2), ReceptiveLayer(3)]) == 7
    assert receptive_field([ReceptiveLayer(3, dilation=2)]) == 5


# ---------------------------------------------------------------------------------------------
# Parameters and multiply-accumulates


@st.composite
def _grouped_layers(draw: st.DrawFn) -> tuple[int, int, tuple[int, int], int, bool]:
    groups = draw(st.integers(1, 8))
    channels_in = groups * draw(st.integers(1, 16))
    channels_out = groups * draw(st.integers(1, 16))
    kernel = draw(st.tuples(st.integers(1, 7), st.integers(1, 7)))
    return channels_in, channels_out, kernel, groups, draw(st.booleans())


@settings(max_examples=500, deadline=None)
@given(layer=_grouped_layers())
def test_parameter_count_matches_torch(layer: tuple) -> None:
    # Given an nn.Conv2d with groups and with or without bias
    channels_in, channels_out, kernel, groups, bias = layer
    conv = nn.Conv2d(channels_in, channels_out, kernel, groups=groups, bias=bias, device="meta")

    # When its parameters are counted, then the total is ours
    assert sum(p.numel() for p in conv.parameters()) == conv2d_parameter_count(
        channels_in, channels_out, kernel, groups, bias
    )
    if kernel[0] == kernel[1]:
        assert conv2d_parameter_count(
            channels_in, channels_out, kernel[0], groups, bias
        ) == conv2d_parameter_count(channels_in, channels_out, kernel, groups, bias)


@settings(max_examples=100, deadline=None)
@given(layer=_grouped_layers(), size=st.integers(8, 40), stride=st.integers(1, 3))
def test_multiply_accumulates_match_torchs_flop_counter(
    layer: tuple, size: int, stride: int
) -> None:
    # Given a grouped conv on one sample
    channels_in, channels_out, kernel, groups, _ = layer
    conv = nn.Conv2d(channels_in, channels_out, kernel, stride, groups=groups, device="meta")
    out_height = conv_output_size(size, kernel[0], stride)
    out_width = conv_output_size(size, kernel[1], stride)

    # When torch's flop counter runs it, then its FLOPs are 2 × our multiply-accumulates
    with FlopCounterMode(display=False) as counter:
        conv(_meta((1, channels_in, size, size)))
    macs = conv2d_multiply_accumulates(
        channels_in, channels_out, kernel, out_height, out_width, groups
    )
    assert counter.get_total_flops() == 2 * macs


def test_small_helpers() -> None:
    assert as_pair(3) == (3, 3)
    assert as_pair((2, 5)) == (2, 5)
    assert as_pair([2, 5]) == (2, 5)
    assert ceil_div(7, 2) == 4
    assert ceil_div(-3, 2) == -1
    assert ceil_div(6, 3) == 2
    assert true_ratio(7, 2) == 3.5
    assert conv2d_parameter_count(3, 16, 3) == 448
    assert conv2d_parameter_count(3, 16, 3, bias=False) == 432
    assert conv2d_multiply_accumulates(3, 16, 3, 32, 32) == 432 * 1024
