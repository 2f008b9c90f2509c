"""Template validation tells a padding answer from a tensor size: 0 is a right padding, never a
right height (the starter bank's transposed and 'same' templates were refused for it)."""

from __future__ import annotations

import pytest

from courses.validation import _impossible_key, validate_template
from quizzes.generators.base import AnswerKind


@pytest.mark.parametrize("family", ["transposed", "same_padding"])
def test_families_asking_for_a_padding_pair_validate_with_their_default_ranges(family):
    report = validate_template(family=family, config={}, samples=60)
    assert report.is_valid, report.errors
    assert report.checked == 180


def test_a_zero_padding_is_a_possible_key_but_a_zero_size_or_negative_padding_is_not():
    assert _impossible_key(AnswerKind.SHAPE, (1, 0), {"asked": "undo"}) == ""
    assert _impossible_key(AnswerKind.SHAPE, (0, 1), {"asked": "rows"}) == ""
    assert (
        _impossible_key(AnswerKind.SHAPE, (-1, 0), {"asked": "columns"})
        == "the answer key (-1, 0) has a negative padding"
    )
    assert (
        _impossible_key(AnswerKind.SHAPE, (2, 8, 0, 4), {"asked": "shape"})
        == "the answer key (2, 8, 0, 4) has a size below 1"
    )
    assert _impossible_key(AnswerKind.INTEGER, -3) == "the answer key -3 is negative"
