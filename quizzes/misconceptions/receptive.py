"""Mistakes in computing the receptive field of a stack of convolution and pooling layers.

A stack is a sequence of (kernel_size, stride, dilation, is_pooling) tuples, first layer first.
The right rule: r = 1, jump = 1; per layer r += (dilation·(kernel − 1) + 1 − 1)·jump, then
jump *= stride. Every ``wrong_answer`` takes the stack and returns the receptive field the mistake
gives (or None where it changes nothing). The inverse question ("how many k×k stride-1 layers to
see R pixels?") has its own functions of (target, kernel_size, dilation).
"""

from __future__ import annotations

from collections.abc import Sequence

from quizzes.misconceptions import Misconception, register

Stack = Sequence[tuple[int, int, int, bool]]


def field_of(layers: Stack) -> int:
    """The right receptive field (same rule as ``shapes.receptive_field``, on plain tuples)."""
    field, jump = 1, 1
    for kernel, stride, dilation, _ in layers:
        field += dilation * (kernel - 1) * jump
        jump *= stride
    return field


def _summed_kernels(layers: Stack) -> int | None:
    return sum(dilation * (kernel - 1) + 1 for kernel, _, dilation, _ in layers)


def _ignored_jump(layers: Stack) -> int | None:
    if all(stride == 1 for _, stride, _, _ in layers[:-1]):
        return None
    return 1 + sum(dilation * (kernel - 1) for kernel, _, dilation, _ in layers)


def _ignored_dilation(layers: Stack) -> int | None:
    if all(dilation == 1 for _, _, dilation, _ in layers):
        return None
    return field_of([(kernel, stride, 1, pool) for kernel, stride, _, pool in layers])


def _jump_includes_own_stride(layers: Stack) -> int | None:
    if all(stride == 1 for _, stride, _, _ in layers):
        return None
    field, jump = 1, 1
    for kernel, stride, dilation, _ in layers:
        jump *= stride
        field += dilation * (kernel - 1) * jump
    return field


def _skipped_pooling(layers: Stack) -> int | None:
    if not any(pool for _, _, _, pool in layers):
        return None
    return field_of([layer for layer in layers if not layer[3]])


def _forgot_start_pixel(layers: Stack) -> int | None:
    return field_of(layers) - 1


def _last_layer_only(layers: Stack) -> int | None:
    kernel, _, dilation, _ = layers[-1]
    return dilation * (kernel - 1) + 1


RF_SUMMED_KERNELS = register(
    Misconception(
        id="rf_summed_kernels",
        title="Added up the kernel sizes",
        explanation=(
            "Stacked windows overlap: each k×k layer widens the field by k − 1 pixels (times the "
            "jump), not by k. Start from 1 pixel and add (k − 1) per layer: two 3×3 layers see "
            "5×5, not 6×6."
        ),
        hint="One 3×3 layer sees 3 pixels. How many more does a second 3×3 layer add?",
        wrong_answer=_summed_kernels,
    )
)
RF_IGNORED_JUMP = register(
    Misconception(
        id="rf_ignored_jump",
        title="Ignored how strides multiply the jump",
        explanation=(
            "After a stride-s layer, neighbouring pixels of its output are s input pixels apart, "
            "so every later layer's (k − 1) counts s times over: multiply it by the product of "
            "all earlier strides."
        ),
        hint="After a stride-2 layer, how far apart in the input are two neighbouring pixels?",
        wrong_answer=_ignored_jump,
    )
)
RF_IGNORED_DILATION = register(
    Misconception(
        id="rf_ignored_dilation",
        title="Ignored the dilation",
        explanation=(
            "A dilated kernel spans dilation·(k − 1) + 1 pixels, so it widens the field by "
            "dilation·(k − 1), not k − 1."
        ),
        hint="How many input pixels lie between the first and last tap of a dilated kernel?",
        wrong_answer=_ignored_dilation,
    )
)
RF_JUMP_INCLUDES_OWN_STRIDE = register(
    Misconception(
        id="rf_jump_includes_own_stride",
        title="Multiplied a layer by its own stride",
        explanation=(
            "A layer's stride spaces out the outputs of that layer, which only matters to the "
            "layers after it: multiply by the strides of the earlier layers, not its own."
        ),
        hint="Does a layer's own stride change which input pixels one of its windows reads?",
        wrong_answer=_jump_includes_own_stride,
    )
)
RF_SKIPPED_POOLING = register(
    Misconception(
        id="rf_skipped_pooling",
        title="Left the pooling layers out",
        explanation=(
            "A pooling window is a window too: it widens the field by (k − 1)·jump, and its "
            "stride multiplies the jump of every later layer."
        ),
        hint="Which input pixels does one output of the pooling layer depend on?",
        wrong_answer=_skipped_pooling,
    )
)
RF_FORGOT_START_PIXEL = register(
    Misconception(
        id="rf_forgot_start_pixel",
        title="Forgot the starting pixel",
        explanation=(
            "The field starts at 1 (an output pixel sees at least itself) before the layers add "
            "their (k − 1)·jump: a single 3×3 layer sees 3 pixels, not 2."
        ),
        hint="Check your rule on one 3×3 layer: does it give 3?",
        wrong_answer=_forgot_start_pixel,
    )
)
RF_LAST_LAYER_ONLY = register(
    Misconception(
        id="rf_last_layer_only",
        title="Took only the last layer's kernel",
        explanation=(
            "The last layer's window covers k pixels of *its* input, and each of those depends on "
            "a window of the layer before: the fields grow through the whole stack."
        ),
        hint="Which pixels of the original image does one pixel of the last layer's input see?",
        wrong_answer=_last_layer_only,
    )
)

#: Ordered from most to least common: the first mistake giving a wrong value names it.
_STACK_FUNCTIONS = (
    (RF_SUMMED_KERNELS.id, _summed_kernels),
    (RF_IGNORED_JUMP.id, _ignored_jump),
    (RF_IGNORED_DILATION.id, _ignored_dilation),
    (RF_SKIPPED_POOLING.id, _skipped_pooling),
    (RF_JUMP_INCLUDES_OWN_STRIDE.id, _jump_includes_own_stride),
    (RF_FORGOT_START_PIXEL.id, _forgot_start_pixel),
    (RF_LAST_LAYER_ONLY.id, _last_layer_only),
)


def stack_mistakes(layers: Stack) -> list[tuple[str, int]]:
    """(misconception id, wrong receptive field) for every mistake that changes this answer."""
    right = field_of(layers)
    result = []
    for identifier, wrong_answer in _STACK_FUNCTIONS:
        wrong = wrong_answer(layers)
        if wrong is not None and wrong > 0 and wrong != right:
            result.append((identifier, wrong))
    return result


# ---------------------------------------------------------------------------------------------
# The inverse question: the fewest identical stride-1 layers whose field reaches ``target``.


def layers_needed(target: int, kernel: int, dilation: int = 1) -> int:
    """Fewest stride-1 k×k layers (dilation d) whose receptive field is at least ``target``."""
    return max(0, -(-(target - 1) // (dilation * (kernel - 1))))


def inverse_mistakes(target: int, kernel: int, dilation: int = 1) -> list[tuple[str, int]]:
    """(misconception id, wrong layer count) for the inverse question."""
    right = layers_needed(target, kernel, dilation)
    span = dilation * (kernel - 1) + 1
    candidates = [
        (RF_SUMMED_KERNELS.id, -(-target // span)),
        (RF_IGNORED_DILATION.id, layers_needed(target, kernel) if dilation > 1 else None),
        (RF_FORGOT_START_PIXEL.id, -(-target // (span - 1))),
    ]
    result = []
    for identifier, wrong in candidates:
        if wrong is not None and wrong > 0 and wrong != right:
            result.append((identifier, wrong))
    return result
