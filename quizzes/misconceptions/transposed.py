"""Mistakes in nn.ConvTranspose2d's output-size formula and its output_padding rule.

Every ``wrong_answer`` here takes (size, kernel_size, stride, padding, output_padding, dilation)
and returns the output size the mistaken formula gives, or None where the mistake changes nothing.
The right answer is
``(size − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1``.
"""

from __future__ import annotations

from quizzes.misconceptions import Misconception, register
from quizzes.shapes import conv_output_size, conv_transpose_output_size


def _used_conv_formula(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> int | None:
    wrong = conv_output_size(size, kernel, stride, padding, dilation)
    return wrong if wrong > 0 else None


def _forgot_output_padding(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> int | None:
    if output_padding == 0:
        return None
    return conv_transpose_output_size(size, kernel, stride, padding, 0, dilation)


def _padding_once(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> int | None:
    if padding == 0:
        return None
    right = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    return right + padding


def _padding_added(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> int | None:
    if padding == 0:
        return None
    right = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    return right + 4 * padding


def _size_times_stride(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> int | None:
    right = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    return right + stride


def _ignored_dilation(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> int | None:
    if dilation == 1:
        return None
    return conv_transpose_output_size(size, kernel, stride, padding, output_padding, 1)


def _forgot_plus_one(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> int | None:
    right = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    return right - 1


USED_CONV_FORMULA = register(
    Misconception(
        id="transposed_used_conv_formula",
        title="Used the Conv2d formula for a transposed convolution",
        explanation=(
            "ConvTranspose2d runs the Conv2d formula backwards: out = (in − 1)·stride − "
            "2·padding + dilation·(kernel_size − 1) + output_padding + 1. It multiplies by the "
            "stride where Conv2d divides."
        ),
        hint="Does a transposed convolution with stride 2 make the map bigger or smaller?",
        wrong_answer=_used_conv_formula,
    )
)
FORGOT_OUTPUT_PADDING = register(
    Misconception(
        id="transposed_forgot_output_padding",
        title="Forgot output_padding",
        explanation=(
            "output_padding adds that many extra rows (and columns) on one side of the output, "
            "so it is added once at the end of the formula."
        ),
        hint="Which argument of the layer have you not used yet?",
        wrong_answer=_forgot_output_padding,
    )
)
PADDING_ONCE = register(
    Misconception(
        id="transposed_padding_once",
        title="Subtracted the padding only once",
        explanation=(
            "In ConvTranspose2d, padding trims the output on both sides, so the formula "
            "subtracts 2 × padding."
        ),
        hint="How many sides of each dimension does the padding trim?",
        wrong_answer=_padding_once,
    )
)
PADDING_ADDED = register(
    Misconception(
        id="transposed_padding_added",
        title="Added the padding instead of subtracting it",
        explanation=(
            "In a transposed convolution padding works the other way round from Conv2d: it "
            "removes 2 × padding from the output instead of adding to the input."
        ),
        hint="In ConvTranspose2d, does padding make the output larger or smaller?",
        wrong_answer=_padding_added,
    )
)
SIZE_TIMES_STRIDE = register(
    Misconception(
        id="transposed_size_times_stride",
        title="Multiplied the input size (not in − 1) by the stride",
        explanation=(
            "in input pixels have in − 1 gaps between them; each gap becomes stride output "
            "pixels, so the formula starts from (in − 1)·stride."
        ),
        hint="How many gaps are there between in input pixels?",
        wrong_answer=_size_times_stride,
    )
)
IGNORED_DILATION = register(
    Misconception(
        id="transposed_ignored_dilation",
        title="Ignored the dilation",
        explanation=(
            "A dilated kernel spans dilation·(kernel_size − 1) + 1 pixels, so the formula adds "
            "dilation·(kernel_size − 1), not kernel_size − 1."
        ),
        hint="With dilation, how many output pixels does one kernel footprint cover?",
        wrong_answer=_ignored_dilation,
    )
)
FORGOT_PLUS_ONE = register(
    Misconception(
        id="transposed_forgot_plus_one",
        title="Forgot the + 1",
        explanation=(
            "(in − 1)·stride + dilation·(kernel_size − 1) is the distance from the first to the "
            "last output pixel; the count of pixels is one more."
        ),
        hint="If a segment runs from pixel 0 to pixel 9, how many pixels does it cover?",
        wrong_answer=_forgot_plus_one,
    )
)
OUTPUT_PADDING_LIMIT = register(
    Misconception(
        id="transposed_output_padding_limit",
        title="Did not know output_padding's limit",
        explanation=(
            "output_padding only picks between output sizes that a stride (or dilation) makes "
            "ambiguous, so torch requires output_padding < stride or output_padding < dilation "
            "and raises a RuntimeError otherwise."
        ),
        hint=(
            "output_padding chooses among the sizes a Conv2d would map to the same input: "
            "how many are there?"
        ),
    )
)
OUTPUT_PADDING_STRIDE_ONLY = register(
    Misconception(
        id="transposed_output_padding_stride_only",
        title="Thought output_padding must be smaller than the stride alone",
        explanation=(
            "torch's rule is output_padding < stride OR output_padding < dilation: either one is "
            "enough, so a dilated layer with stride 1 can still use output_padding."
        ),
        hint="Read the rule carefully: smaller than the stride, or smaller than what else?",
    )
)
OUTPUT_PADDING_STRIDE_MINUS_ONE = register(
    Misconception(
        id="transposed_output_padding_stride_minus_one",
        title="Assumed output_padding is always stride − 1",
        explanation=(
            "The output_padding that restores a size depends on the size: it is the remainder the "
            "Conv2d's floor division threw away, anything from 0 to stride − 1."
        ),
        hint="Compute what the transposed layer gives without output_padding, then compare.",
    )
)

#: Ordered from most to least common: the first misconception giving a wrong value names it.
ONE_DIMENSION = (
    FORGOT_OUTPUT_PADDING,
    PADDING_ONCE,
    USED_CONV_FORMULA,
    SIZE_TIMES_STRIDE,
    IGNORED_DILATION,
    PADDING_ADDED,
    FORGOT_PLUS_ONE,
)
_ONE_DIMENSION_FUNCTIONS = tuple((m.id, m.wrong_answer) for m in ONE_DIMENSION)


def transposed_mistakes(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int = 1
) -> list[tuple[str, int]]:
    """(misconception id, wrong output size) for every mistake that changes this answer."""
    right = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    result = []
    for identifier, wrong_answer in _ONE_DIMENSION_FUNCTIONS:
        wrong = wrong_answer(size, kernel, stride, padding, output_padding, dilation)
        if wrong is not None and wrong > 0 and wrong != right:
            result.append((identifier, wrong))
    return result
