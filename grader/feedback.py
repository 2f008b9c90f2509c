"""Turn shapes into feedback: which case failed, where the network diverged, and why (probably).

Pure Python on plain data: expected shapes come from the trusted reference, actual shapes and the
trace from the (untrusted) sandbox outcome, already schema-checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Diagnosis:
    hint: str
    misconception: str = ""


def describe_shape(shape: Sequence[int] | None) -> str:
    if shape is None:
        return "no tensor"
    return "(" + ", ".join(str(size) for size in shape) + ")"


def diagnose_shape(expected: Shape, actual: Shape | None) -> Diagnosis | None:
    """Name the likely mistake behind a wrong output shape, from the catalogue's vocabulary."""
    if actual is None:
        return Diagnosis("Your forward pass must return a tensor.")
    if len(actual) != len(expected):
        hint = (
            f"Your output has {len(actual)} dimensions, the expected {describe_shape(expected)} "
            f"has {len(expected)}."
        )
        if len(actual) < len(expected):
            hint += " Did you flatten or squeeze a dimension the question keeps?"
        return Diagnosis(hint)
    if len(expected) >= 1 and actual[0] != expected[0]:
        return Diagnosis(
            f"Your batch dimension is {actual[0]}, not {expected[0]}: a layer should keep N "
            "(avoid hard-coded sizes in view/reshape; use x.shape[0] or flatten(1)).",
            "batch_changed",
        )
    if len(expected) >= 2 and actual[1] != expected[1] and actual[2:] == expected[2:]:
        return Diagnosis(
            f"Your spatial size is right but you have {actual[1]} channels instead of "
            f"{expected[1]}: out_channels of the last layer sets the channel dimension.",
            "channels_swapped",
        )
    if len(expected) < 4:
        return None
    spatial_expected, spatial_actual = expected[2:], actual[2:]
    # A factor of about 2 or more is a downsampling step, even when it is also an even difference.
    ratios = {a / e for e, a in zip(spatial_expected, spatial_actual, strict=True) if e > 0}
    if len(ratios) == 1:
        ratio = next(iter(ratios))
        if ratio >= 1.8:
            return Diagnosis(
                f"Your output is about {ratio:.0f}x larger in each spatial dimension than "
                "expected: a stride (or pooling) that downsamples is missing.",
                "ignored_stride",
            )
        if 0 < ratio <= 0.55:
            return Diagnosis(
                f"Your output is about {1 / ratio:.0f}x smaller in each spatial dimension than "
                "expected: there is one downsampling step (stride 2 or pooling) too many.",
            )
    differences = {e - a for e, a in zip(spatial_expected, spatial_actual, strict=True)}
    if len(differences) == 1:
        difference = differences.pop()
        if difference > 0 and difference % 2 == 0:
            kernel = difference + 1
            return Diagnosis(
                f"Your output is {difference} pixels smaller in each spatial dimension: that is "
                f"what padding 0 with a {kernel}x{kernel} kernel loses. padding={difference // 2} "
                "would keep the size.",
                "ignored_padding",
            )
        if difference == 1:
            return Diagnosis(
                "Your output is 1 pixel smaller in each spatial dimension: an even kernel with "
                "padding (k - 1) // 2, or flooring where the reference keeps one more window.",
                "forgot_plus_one",
            )
        if difference == -1:
            return Diagnosis(
                "Your output is 1 pixel larger in each spatial dimension: check for ceil_mode=True "
                "or one pixel of padding too many.",
                "ceil_instead_of_floor",
            )
        if difference < 0 and difference % 2 == 0:
            return Diagnosis(
                f"Your output is {-difference} pixels larger in each spatial dimension: there is "
                f"{-difference // 2} pixel(s) too much padding on each side.",
                "padding_not_doubled",
            )
    if spatial_actual == spatial_expected[::-1]:
        return Diagnosis(
            "Height and width are swapped: tuple arguments are (height, width).",
            "height_width_swapped",
        )
    return None


def first_divergence(
    reference_outputs: Sequence[Shape | None], student_outputs: Sequence[Shape | None]
) -> int | None:
    """Index of the first student layer whose output shape differs from the reference's.

    Both sequences are the leaf layers' output shapes in call order. Architectures may differ, so
    this only claims a divergence where the two sequences stop agreeing position by position.
    """
    for index, student_shape in enumerate(student_outputs):
        if index >= len(reference_outputs):
            return index
        if student_shape != reference_outputs[index]:
            return index
    return None
