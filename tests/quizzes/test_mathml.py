"""Formulas as MathML: well-formed, with the question's numbers and torch's result."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from quizzes.generators import family_names, get_generator
from quizzes.mathml import conv_general, formulas_for, mi, mn

MATH = "{http://www.w3.org/1998/Math/MathML}"


def test_the_conv_formula_is_a_floored_fraction():
    formula = conv_general()
    root = ET.fromstring(formula.mathml)
    assert root.tag == f"{MATH}math"
    assert root.get("display") == "block"
    assert root.find(f".//{MATH}mfrac") is not None
    assert '<mi mathvariant="normal">floor</mi>' in formula.mathml
    assert formula.text == (
        "out = ⌊(in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1"
    )


def test_substituted_numbers_and_the_result():
    formulas = formulas_for(
        "conv_output",
        {"input_shape": [1, 3, 7, 7], "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1},
    )
    assert [f.label for f in formulas] == [
        "Conv2d output size, for each spatial dimension d",
        "Height and width with this question's numbers",
    ]
    assert formulas[1].text == "H_out = ⌊(7 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = 4"


def test_non_square_layers_get_one_line_per_axis_and_ceil_mode_rounds_up():
    formulas = formulas_for(
        "pooling",
        {
            "layer": "MaxPool2d",
            "input_shape": [1, 1, 5, 6],
            "kernel_size": 2,
            "stride": None,
            "padding": 0,
            "dilation": 1,
            "ceil_mode": True,
            "asked": "shape",
        },
    )
    assert [f.text.split(" = ", 1)[0] for f in formulas] == ["out", "H_out", "W_out"]
    assert formulas[1].text.endswith("= 3")
    assert '<mi mathvariant="normal">ceil</mi>' in formulas[1].mathml


def test_transposed_substitution_matches_the_docs_formula():
    formulas = formulas_for(
        "transposed",
        {
            "input_shape": [1, 4, 13, 13],
            "kernel_size": 2,
            "stride": 3,
            "padding": 0,
            "output_padding": 0,
            "dilation": 1,
            "asked": "height",
        },
    )
    assert formulas[1].text == "H_out = (13 − 1)·3 − 2·0 + 1·(2 − 1) + 0 + 1 = 38"


def test_text_is_escaped():
    assert mi("<script>") == '<mi mathvariant="normal">&lt;script&gt;</mi>'
    assert mn("1&2") == "<mn>1&amp;2</mn>"


@pytest.mark.parametrize("family", family_names())
def test_every_family_gives_well_formed_formulas_or_none(family):
    generator = get_generator(family)
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(15):
            variant = generator.generate(seed=seed, difficulty=difficulty)
            for formula in formulas_for(family, variant.params):
                ET.fromstring(formula.mathml)
                assert formula.text
    if family in ("concepts", "constructor", "padding_modes"):
        variant = generator.generate(seed=1, difficulty="easy")
        assert formulas_for(family, variant.params) == []
