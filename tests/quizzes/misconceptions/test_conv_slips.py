"""The one-call form of the conv formula slips must agree with the catalogue's functions."""

from __future__ import annotations

import itertools

from quizzes.misconceptions.conv import (
    ONE_DIMENSION,
    one_dimension_mistakes,
    one_dimension_slips,
    one_dimension_steps,
)
from quizzes.shapes import conv_output_size


def test_every_slip_equals_its_catalogue_function_over_a_grid():
    # Given every small combination of params, including ones where a slip does not apply
    for size, kernel, stride, padding, dilation in itertools.product(
        range(1, 40), range(1, 8), range(1, 5), range(0, 4), range(1, 4)
    ):
        # When both forms are evaluated, then they agree entry by entry (None included)
        expected = tuple(
            m.wrong_answer(size, kernel, stride, padding, dilation) for m in ONE_DIMENSION
        )
        assert one_dimension_slips(size, kernel, stride, padding, dilation) == expected


def test_mistakes_keep_only_positive_values_that_differ_from_the_key():
    # Given a 7-wide input, a 3x3 kernel, stride 2 and padding 1: the key is 4
    assert conv_output_size(7, 3, 2, 1, 1) == 4
    # Then the ceil and the unsubtracted kernel also give 4 (the key) and are left out, as is
    # the slip that does not apply (dilation is 1); the others name their wrong sizes in order
    assert one_dimension_mistakes(7, 3, 2, 1) == [
        ("padding_not_doubled", 3),
        ("forgot_plus_one", 3),
        ("kernel_stride_swapped", 3),
        ("ignored_padding", 3),
        ("ignored_stride", 7),
        ("plus_one_inside_division", 3),
        ("size_over_stride", 3),
    ]


def test_every_step_equals_its_catalogue_function_or_the_right_formula():
    # Given ten different input sizes (one per slip) and every small combination of params
    for kernel, stride, padding, dilation in itertools.product(
        range(1, 8), range(1, 5), range(0, 4), range(1, 4)
    ):
        for first in range(1, 30):
            sizes = [first + 3 * offset for offset in range(10)]
            # When one layer is replayed, then slip i gives its own wrong answer on sizes[i],
            # or the right output where the slip does not apply
            expected = []
            for m, size in zip(ONE_DIMENSION, sizes, strict=True):
                wrong = m.wrong_answer(size, kernel, stride, padding, dilation)
                right = conv_output_size(size, kernel, stride, padding, dilation)
                expected.append(right if wrong is None else wrong)
            assert one_dimension_steps(sizes, kernel, stride, padding, dilation) == expected
