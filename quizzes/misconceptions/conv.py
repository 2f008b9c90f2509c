"""Mistakes in the convolution output-size formula, one dimension at a time.

Every ``wrong_answer`` here takes (size, kernel_size, stride, padding, dilation) and returns the
output size the mistaken formula gives, or None where the mistake changes nothing or makes no sense.
"""

from __future__ import annotations

from collections.abc import Sequence

from quizzes.misconceptions import Misconception, register
from quizzes.shapes import ceil_div, conv_output_size


def _padding_once(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int | None:
    if padding == 0:
        return None
    return (size + padding - dilation * (kernel - 1) - 1) // stride + 1


def _ceil(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int | None:
    return ceil_div(size + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1


def _no_plus_one(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int | None:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride


def _swapped(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int | None:
    if kernel == stride:
        return None
    return (size + 2 * padding - dilation * (stride - 1) - 1) // kernel + 1


def _ignored_dilation(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> int | None:
    if dilation == 1:
        return None
    return (size + 2 * padding - (kernel - 1) - 1) // stride + 1


def _ignored_stride(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int | None:
    if stride == 1:
        return None
    return size + 2 * padding - dilation * (kernel - 1)


def _ignored_padding(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> int | None:
    if padding == 0:
        return None
    return (size - dilation * (kernel - 1) - 1) // stride + 1


def _divided_everything(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> int | None:
    if stride == 1:
        return None
    # floor((in + 2p - k) / s + 1) is right; (in + 2p - k + 1) / s is a common slip.
    return (size + 2 * padding - dilation * (kernel - 1)) // stride


def _size_over_stride(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> int | None:
    if stride == 1:
        return None
    return size // stride


def _kernel_not_subtracted(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> int | None:
    return (size + 2 * padding) // stride


PADDING_NOT_DOUBLED = register(
    Misconception(
        id="padding_not_doubled",
        title="Forgot to double the padding",
        explanation="Padding is added on both sides, so the formula adds 2 × padding, not padding.",
        hint="How many sides of each dimension does the padding ring touch?",
        wrong_answer=_padding_once,
    )
)
CEIL_INSTEAD_OF_FLOOR = register(
    Misconception(
        id="ceil_instead_of_floor",
        title="Rounded up instead of down",
        explanation=(
            "Conv2d floors the division by the stride: a window that would run past the padded "
            "edge is dropped, not counted."
        ),
        hint="A window that does not fit completely inside the padded input is not computed.",
        wrong_answer=_ceil,
    )
)
FORGOT_PLUS_ONE = register(
    Misconception(
        id="forgot_plus_one",
        title="Forgot the + 1",
        explanation=(
            "The division counts the jumps between window positions; the first position itself "
            "adds one more output pixel."
        ),
        hint="If the kernel fits exactly once, how many outputs are there?",
        wrong_answer=_no_plus_one,
    )
)
KERNEL_STRIDE_SWAPPED = register(
    Misconception(
        id="kernel_stride_swapped",
        title="Swapped kernel size and stride",
        explanation=(
            "The kernel size is subtracted from the padded input; the stride is what you divide by."
        ),
        hint="Which parameter is the window size, and which one is the jump between windows?",
        wrong_answer=_swapped,
    )
)
IGNORED_DILATION = register(
    Misconception(
        id="ignored_dilation",
        title="Ignored the dilation",
        explanation=(
            "A dilated kernel spans dilation × (kernel_size − 1) + 1 pixels, so that span, not "
            "kernel_size, is what the formula subtracts."
        ),
        hint="With dilation, how many input pixels does one kernel window cover?",
        wrong_answer=_ignored_dilation,
    )
)
IGNORED_STRIDE = register(
    Misconception(
        id="ignored_stride",
        title="Ignored the stride",
        explanation=(
            "With stride s the window jumps s pixels at a time, so divide by s before adding 1."
        ),
        hint="How far does the window move between two neighbouring outputs?",
        wrong_answer=_ignored_stride,
    )
)
IGNORED_PADDING = register(
    Misconception(
        id="ignored_padding",
        title="Ignored the padding",
        explanation="The kernel slides over the padded input, which is 2 × padding pixels larger.",
        hint="Which input does the kernel slide over: the original, or the padded one?",
        wrong_answer=_ignored_padding,
    )
)
PLUS_ONE_INSIDE_DIVISION = register(
    Misconception(
        id="plus_one_inside_division",
        title="Put the + 1 inside the division",
        explanation="Divide (in + 2p − d(k − 1) − 1) by the stride first, floor it, then add 1.",
        hint="Is the + 1 divided by the stride, or added after?",
        wrong_answer=_divided_everything,
    )
)
SIZE_OVER_STRIDE = register(
    Misconception(
        id="size_over_stride",
        title="Divided the input by the stride and stopped",
        explanation=(
            "in / stride is only right when the padding exactly makes up for the kernel; the "
            "formula also subtracts the kernel span and adds the padding."
        ),
        hint="Does the kernel size play a part in your answer?",
        wrong_answer=_size_over_stride,
    )
)
KERNEL_NOT_SUBTRACTED = register(
    Misconception(
        id="kernel_not_subtracted",
        title="Did not subtract the kernel",
        explanation=(
            "The window has to fit: the last start position is (padded size − kernel span)."
        ),
        hint="Where can the last window start so that it still fits?",
        wrong_answer=_kernel_not_subtracted,
    )
)
CHANNELS_SWAPPED = register(
    Misconception(
        id="channels_swapped",
        title="Swapped in_channels and out_channels",
        explanation=(
            "nn.Conv2d(in_channels, out_channels, ...) outputs out_channels maps: the second "
            "argument, the number of filters, sets the channel dimension of the output."
        ),
        hint="Which argument is the number of filters?",
    )
)
BATCH_CHANGED = register(
    Misconception(
        id="batch_changed",
        title="Changed the batch size",
        explanation="A convolution works on each sample separately: N passes through unchanged.",
        hint="Does a layer mix different images of the batch?",
    )
)
HEIGHT_WIDTH_SWAPPED = register(
    Misconception(
        id="height_width_swapped",
        title="Swapped height and width settings",
        explanation=(
            "A tuple argument is (height, width): the first number applies to H (dim 2), the "
            "second to W (dim 3)."
        ),
        hint="Which dimension does the first number of a tuple like stride=(2, 1) act on?",
    )
)

#: Ordered from most to least common: the first misconception giving a wrong value names it.
ONE_DIMENSION = (
    PADDING_NOT_DOUBLED,
    FORGOT_PLUS_ONE,
    CEIL_INSTEAD_OF_FLOOR,
    IGNORED_DILATION,
    KERNEL_STRIDE_SWAPPED,
    IGNORED_PADDING,
    IGNORED_STRIDE,
    PLUS_ONE_INSIDE_DIVISION,
    KERNEL_NOT_SUBTRACTED,
    SIZE_OVER_STRIDE,
)


ONE_DIMENSION_IDS: tuple[str, ...] = tuple(m.id for m in ONE_DIMENSION)


def one_dimension_slips(
    size: int, kernel: int, stride: int, padding: int, dilation: int = 1
) -> tuple[int | None, ...]:
    """Every ``ONE_DIMENSION`` entry's ``wrong_answer`` for these params, in that order.

    The same values as calling the ten functions one by one (a test holds them equal over a
    grid), computed in one call with the shared terms worked out once: every formula question
    asks for all ten, and ten calls cost more than the arithmetic.
    """
    span = dilation * (kernel - 1)
    padded = size + 2 * padding
    numerator = padded - span - 1
    has_stride = stride != 1
    return (
        (size + padding - span - 1) // stride + 1 if padding else None,  # padding_not_doubled
        numerator // stride,  # forgot_plus_one
        -(-numerator // stride) + 1,  # ceil_instead_of_floor
        (padded - kernel) // stride + 1 if dilation != 1 else None,  # ignored_dilation
        (padded - dilation * (stride - 1) - 1) // kernel + 1  # kernel_stride_swapped
        if kernel != stride
        else None,
        (size - span - 1) // stride + 1 if padding else None,  # ignored_padding
        padded - span if has_stride else None,  # ignored_stride
        (padded - span) // stride if has_stride else None,  # plus_one_inside_division
        padded // stride,  # kernel_not_subtracted
        size // stride if has_stride else None,  # size_over_stride
    )


def one_dimension_steps(
    sizes: Sequence[int], kernel: int, stride: int, padding: int, dilation: int = 1
) -> list[int]:
    """The size each ``ONE_DIMENSION`` slip gives from its own input: ``sizes[i]`` through the
    i-th entry's mistaken formula, or through the right one where that slip does not apply.

    This is one layer of a student replaying a slip through a stack; one call for all ten, since a
    stack question replays every slip at every layer. Where a slip does not apply its formula
    reduces to the right one (padding 0, dilation 1, kernel equal to stride, stride 1), so only
    ``size_over_stride`` needs a branch; a test holds every entry equal to the catalogue's.
    """
    s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 = sizes
    span = dilation * (kernel - 1)
    twice = 2 * padding
    return [
        (s0 + padding - span - 1) // stride + 1,  # padding_not_doubled
        (s1 + twice - span - 1) // stride,  # forgot_plus_one
        -(-(s2 + twice - span - 1) // stride) + 1,  # ceil_instead_of_floor
        (s3 + twice - kernel) // stride + 1,  # ignored_dilation
        (s4 + twice - dilation * (stride - 1) - 1) // kernel + 1,  # kernel_stride_swapped
        (s5 - span - 1) // stride + 1,  # ignored_padding
        s6 + twice - span,  # ignored_stride
        (s7 + twice - span) // stride,  # plus_one_inside_division
        (s8 + twice) // stride,  # kernel_not_subtracted
        s9 // stride if stride != 1 else s9 + twice - span,  # size_over_stride
    ]


def one_dimension_mistakes(
    size: int, kernel: int, stride: int, padding: int, dilation: int = 1
) -> list[tuple[str, int]]:
    """(misconception id, wrong output size) for every mistake that changes this answer."""
    right = conv_output_size(size, kernel, stride, padding, dilation)
    return [
        (identifier, wrong)
        for identifier, wrong in zip(
            ONE_DIMENSION_IDS,
            one_dimension_slips(size, kernel, stride, padding, dilation),
            strict=True,
        )
        if wrong is not None and wrong > 0 and wrong != right
    ]
