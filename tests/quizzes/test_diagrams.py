"""Diagrams drawn from params: right numbers, readable at any size, none where none is honest."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from quizzes.diagrams import conv_axis, diagram_for, transposed_axis
from quizzes.generators import family_names, get_generator
from quizzes.shapes import conv_transpose_output_size

SVG = "{http://www.w3.org/2000/svg}"
FAMILIES_WITHOUT_A_PICTURE = ("concepts", "constructor", "parameters", "layer_stacks")


def _output_size(description: list[str]) -> tuple[int, int] | None:
    for sentence in description:
        match = re.search(r"So the output is (\d+) × (\d+)", sentence)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def test_the_classic_example_7_pixels_kernel_3_stride_2_padding_1_give_4():
    diagram = diagram_for(
        "conv_output",
        {"input_shape": [1, 3, 7, 7], "kernel_size": 3, "stride": 2, "padding": 1},
    )
    assert diagram is not None
    assert diagram.title == "How a 3×3 window slides over the 7×7 input to give 4×4"
    text = " ".join(diagram.description)
    assert "Padding adds 1 pixel on every side (shaded), so the window slides over 9 × 9." in text
    assert "it starts at columns 0, 2, 4 and 6." in text
    assert "The last window covers columns 6 to 8." in text
    assert "One more jump would start at column 8 and need columns 8 to 10" in text
    assert "So the output is 4 × 4." in text
    root = ET.fromstring(diagram.svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == diagram.title
    assert "padded input: 9 × 9" in diagram.svg
    assert "output: 4 × 4" in diagram.svg


@pytest.mark.parametrize("family", family_names())
def test_every_family_draws_a_valid_diagram_or_none(family):
    generator = get_generator(family)
    drawn = 0
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(25):
            variant = generator.generate(seed=seed, difficulty=difficulty)
            diagram = diagram_for(family, variant.params)
            if diagram is None:
                continue
            drawn += 1
            ET.fromstring(diagram.svg)  # well-formed
            assert diagram.description
            assert len(diagram.svg) < 120_000  # elided, never one rect per pixel of 224×224
    if family in FAMILIES_WITHOUT_A_PICTURE:
        assert drawn == 0
    elif family in ("conv_output", "pooling", "asymmetric", "padding_modes"):
        assert drawn > 30


@pytest.mark.parametrize(
    ("family", "asked_keys"), [("conv_output", ("shape",)), ("pooling", ("shape",))]
)
def test_the_output_grid_agrees_with_the_torch_checked_key(family, asked_keys):
    generator = get_generator(family)
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(60):
            variant = generator.generate(seed=seed, difficulty=difficulty)
            if variant.params.get("asked") not in asked_keys:
                continue
            diagram = diagram_for(family, variant.params)
            if diagram is None:
                continue
            assert _output_size(diagram.description) == tuple(variant.answer.value[-2:])


def test_asymmetric_one_layer_agrees_with_the_key():
    generator = get_generator("asymmetric")
    checked = 0
    for seed in range(80):
        variant = generator.generate(seed=seed, difficulty="medium")
        if variant.params["kind"] != "one_layer":
            continue
        diagram = diagram_for("asymmetric", variant.params)
        assert _output_size(diagram.description) == tuple(variant.answer.value[-2:])
        checked += 1
    assert checked > 5


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "output_padding", "dilation"),
    [(4, 3, 2, 1, 1, 1), (5, 4, 2, 1, 0, 1), (3, 3, 3, 0, 2, 1), (6, 3, 1, 1, 0, 2)],
)
def test_a_transposed_convolution_is_drawn_as_the_equivalent_direct_one(
    size, kernel, stride, padding, output_padding, dilation
):
    axis = transposed_axis("width", size, kernel, stride, padding, output_padding, dilation)
    expected = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    assert axis.out == expected
    assert axis.cells.count("in") == size
    assert axis.cells.count("zero") == (size - 1) * (stride - 1)
    assert axis.cells.count("extra") == output_padding


def test_a_transposed_layer_whose_padding_crops_gets_no_picture():
    # dilation*(kernel-1) - padding < 0: the "equivalent" input would need negative padding.
    params = {
        "input_shape": [1, 4, 8, 8],
        "kernel_size": 2,
        "stride": 2,
        "padding": 3,
        "output_padding": 0,
        "dilation": 1,
        "asked": "shape",
    }
    assert diagram_for("transposed", params) is None


def test_a_huge_input_is_elided_in_the_middle_and_stays_small():
    diagram = diagram_for(
        "conv_output",
        {"input_shape": [1, 3, 224, 224], "kernel_size": 7, "stride": 2, "padding": 3},
    )
    assert diagram is not None
    assert diagram.svg.count("<rect") < 1200
    assert "⋯" in diagram.svg
    text = " ".join(diagram.description)
    assert "columns 0, 2, 4, …, 222 (112 positions)" in text
    assert "So the output is 112 × 112." in text


def test_a_kernel_that_does_not_fit_is_drawn_overhanging_with_no_output():
    params = {
        "layer": "Conv2d",
        "kwargs": {"in_channels": 3, "out_channels": 4, "kernel_size": 5},
        "input_shape": [1, 3, 3, 3],
        "scenario": "kernel_too_large",
    }
    diagram = diagram_for("error_diagnosis", params)
    assert diagram is not None
    assert "does not fit" in diagram.title
    assert "not even one window fits" in " ".join(diagram.description)
    assert "torch raises" in diagram.svg


def test_non_spatial_errors_and_strided_same_have_no_picture():
    channel_mismatch = {
        "layer": "Conv2d",
        "kwargs": {"in_channels": 3, "out_channels": 4, "kernel_size": 3},
        "input_shape": [1, 4, 8, 8],
        "scenario": "channel_mismatch",
    }
    assert diagram_for("error_diagnosis", channel_mismatch) is None
    strided_same = {
        "kind": "strided_same",
        "input_shape": [1, 3, 8, 8],
        "kernel_size": 3,
        "stride": 2,
        "padding": "same",
        "dilation": 1,
    }
    assert diagram_for("same_padding", strided_same) is None


def test_same_padding_with_an_even_kernel_puts_the_extra_pixel_after():
    params = {
        "kind": "even_split",
        "input_shape": [1, 3, 6, 6],
        "kernel_size": 4,
        "stride": 1,
        "padding": "same",
        "dilation": 1,
    }
    diagram = diagram_for("same_padding", params)
    text = " ".join(diagram.description)
    assert "1 on top, 2 at the bottom, 1 on the left and 2 on the right" in text
    assert "So the output is 6 × 6." in text


def test_ceil_mode_keeps_a_window_that_hangs_off_the_edge():
    params = {
        "layer": "MaxPool2d",
        "input_shape": [1, 1, 5, 5],
        "kernel_size": 2,
        "stride": 2,
        "padding": 0,
        "dilation": 1,
        "ceil_mode": True,
        "asked": "shape",
    }
    text = " ".join(diagram_for("pooling", params).description)
    assert "With ceil_mode=True the last window, at column 4, is kept" in text
    assert "So the output is 3 × 3." in text


def test_padding_mode_values_are_drawn_with_the_asked_row():
    params = {
        "values": [[1, 2, 5, 9, 7]],
        "padding": [3, 2, 0, 0],
        "mode": "reflect",
        "row": 0,
        "asked": "row",
    }
    diagram = diagram_for("padding_modes", params)
    assert diagram.kind == "padding"
    assert "Row 0 (the one asked about): 9, 5, 2, 1, 2, 5, 9, 7, 9, 5." in diagram.description


def test_unknown_or_broken_params_give_no_picture_rather_than_an_error():
    assert diagram_for("conv_output", {"input_shape": "nope"}) is None
    assert diagram_for("conv_output", {}) is None
    assert diagram_for("no_such_family", {"input_shape": [1, 1, 4, 4]}) is None


def test_axis_counts_windows_like_the_formula():
    axis = conv_axis("width", 7, 3, 2, 1)
    assert (axis.length, axis.span, axis.out) == (9, 3, 4)
    assert axis.taps(1) == [2, 3, 4]
    dilated = conv_axis("width", 11, 3, 1, 0, 2)
    assert (dilated.span, dilated.out, dilated.taps(0)) == (5, 7, [0, 2, 4])
