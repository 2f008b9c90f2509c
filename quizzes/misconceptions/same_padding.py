"""Mistakes about padding that keeps the size ("same" padding) and torch's ``padding='same'``.

Each ``wrong_answer`` documents its own arguments. The padding mistakes take (kernel_size,
dilation) and return the padding the student would type; the split mistakes return a
(before, after) pair of padded rows; the stride mistake takes (size, stride) and returns the output
size the student expects. None means the mistake gives nothing different here.
"""

from __future__ import annotations

from quizzes.misconceptions import Misconception, register
from quizzes.shapes import ceil_div, same_padding_split, same_padding_total

#: torch's own words (torch 2.13, nn.Conv2d.__init__), raised as ValueError when the layer is built.
STRIDED_SAME_MESSAGE = "padding='same' is not supported for strided convolutions"
#: The UserWarning torch emits on the forward pass of an even kernel with odd dilation.
EVEN_SAME_WARNING = (
    "Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
    "copy of the input be created"
)


def _not_halved(kernel: int, dilation: int) -> int | None:
    """(kernel_size, dilation) -> the whole of dilation·(K − 1) put on each side."""
    total = same_padding_total(kernel, dilation)
    return total if total > 0 else None


def _ignored_dilation(kernel: int, dilation: int) -> int | None:
    """(kernel_size, dilation) -> (K − 1)/2, the padding of the undilated kernel."""
    if dilation == 1 or (kernel - 1) % 2:
        return None
    return (kernel - 1) // 2


def _always_one(kernel: int, dilation: int) -> int | None:
    """(kernel_size, dilation) -> 1, the padding of the ubiquitous 3×3 convolution."""
    return 1


def _rounded_up(kernel: int, dilation: int) -> int | None:
    """(kernel_size, dilation) -> ⌈span / 2⌉ where span = dilation·(K − 1) + 1."""
    return (same_padding_total(kernel, dilation) + 2) // 2


def _none_needed(kernel: int, dilation: int) -> int | None:
    """(kernel_size, dilation) -> 0: "a stride-1 convolution keeps the size by itself"."""
    return 0


def _symmetric_even(size: int, kernel: int, dilation: int) -> int | None:
    """(size, kernel_size, dilation) -> size: a symmetric int padding was assumed to keep it."""
    if same_padding_total(kernel, dilation) % 2 == 0:
        return None
    return size


def _extra_on_left(kernel: int, dilation: int) -> tuple[int, int] | None:
    """(kernel_size, dilation) -> (after, before): torch's split, mirrored."""
    before, after = same_padding_split(kernel, dilation)
    return None if before == after else (after, before)


def _tensorflow_same(size: int, stride: int) -> int | None:
    """(size, stride) -> ⌈size / stride⌉, what TensorFlow's padding='SAME' would give."""
    return ceil_div(size, stride) if stride > 1 else None


SAME_PADDING_NOT_HALVED = register(
    Misconception(
        id="same_padding_not_halved",
        title="Used padding = K − 1 instead of (K − 1)/2",
        explanation=(
            "The kernel removes dilation·(K − 1) pixels in total, but padding=p adds p pixels on "
            "each side, so each side needs only half of it: p = dilation·(K − 1)/2."
        ),
        hint="padding=p adds p pixels to each side. How many does the kernel remove in total?",
        wrong_answer=_not_halved,
    )
)
SAME_PADDING_IGNORED_DILATION = register(
    Misconception(
        id="same_padding_ignored_dilation",
        title="Forgot the dilation in the padding",
        explanation=(
            "A dilated kernel spans dilation·(K − 1) + 1 input pixels, so the padding that keeps "
            "the size is dilation·(K − 1)/2, not (K − 1)/2."
        ),
        hint="With dilation, how many input pixels does one kernel window cover?",
        wrong_answer=_ignored_dilation,
    )
)
SAME_PADDING_ALWAYS_ONE = register(
    Misconception(
        id="same_padding_always_one",
        title="Assumed padding=1 always keeps the size",
        explanation=(
            "padding=1 keeps the size only for a 3×3 kernel without dilation; in general the "
            "padding has to be dilation·(K − 1)/2."
        ),
        hint="Does the padding that keeps the size depend on the kernel size?",
        wrong_answer=_always_one,
    )
)
SAME_PADDING_ROUNDED_UP = register(
    Misconception(
        id="same_padding_rounded_up",
        title="Used half the kernel span, rounded up",
        explanation=(
            "At stride 1 the output is in + 2·padding − dilation·(K − 1): the kernel removes "
            "span − 1 pixels, not span, so padding = (span − 1)/2, e.g. 2 for K = 5, not 3."
        ),
        hint="If the kernel spans 5 pixels, how many pixels shorter than the input is the output?",
        wrong_answer=_rounded_up,
    )
)
SAME_PADDING_NONE_NEEDED = register(
    Misconception(
        id="same_padding_none_needed",
        title="Assumed a stride-1 convolution keeps the size by itself",
        explanation=(
            "Even at stride 1 a K×K window fits in only in − (K − 1) positions per row; padding "
            "has to make up the K − 1 pixels (times the dilation)."
        ),
        hint="Without padding, how many positions does a 3-wide window have in a row of 5?",
        wrong_answer=_none_needed,
    )
)
SAME_PADDING_SYMMETRIC_EVEN = register(
    Misconception(
        id="same_padding_symmetric_even",
        title="Assumed an even kernel can be padded the same on both sides",
        explanation=(
            "When dilation·(K − 1) is odd (an even kernel, odd dilation) the total padding is odd "
            "and cannot be split evenly: an int padding gives in + 1 or in − 1. padding='same' "
            "keeps the size by padding ⌊total/2⌋ before and the extra pixel after."
        ),
        hint="How many pixels of padding in total keep the size? Can that number be split in half?",
        wrong_answer=_symmetric_even,
    )
)
SAME_PADDING_EXTRA_ON_LEFT = register(
    Misconception(
        id="same_padding_extra_on_left",
        title="Put the extra padding pixel on the top/left",
        explanation=(
            "For an odd total, torch's padding='same' pads ⌊total/2⌋ on the top/left and puts "
            "the extra pixel on the bottom/right."
        ),
        hint="torch rounds the top/left share down. Where does the leftover pixel go?",
        wrong_answer=_extra_on_left,
    )
)
#: "Assumed padding='same' works with stride 2" is registered once, by the error-diagnosis area
#: (quizzes/misconceptions/errors.py); this family names it by id.
SAME_WITH_STRIDE_ID = "same_with_stride"
SAME_LIKE_TENSORFLOW = register(
    Misconception(
        id="same_like_tensorflow",
        title="Used TensorFlow's 'SAME' rule (⌈in / stride⌉)",
        explanation=(
            "TensorFlow and Keras give ⌈in / stride⌉ for padding='same' with a stride. PyTorch "
            f'does not: nn.Conv2d raises ValueError("{STRIDED_SAME_MESSAGE}").'
        ),
        hint="Is padding='same' in PyTorch defined the same way as in TensorFlow?",
        wrong_answer=_tensorflow_same,
    )
)
