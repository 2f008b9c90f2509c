"""Diagrams of shape questions, drawn as SVG from a variant's params, with a text alternative.

Pure Python (no Django). ``diagram_for(family, params)`` returns a :class:`Diagram` or None where a
question has no honest spatial picture (an MCQ about words, a parameter count, a layer torch
refuses for a non-spatial reason): no picture is better than a wrong one.

The main picture is the sliding window: the padded input grid (padding ring shaded), the kernel
window at its first positions, rulers above and beside the grid that mark every start position and
the stride jumps between them (plus the one more jump that would not fit, which is *why* the
formula floors), and the output grid whose cells are coloured like the windows that produce them.
Long dimensions keep their start and their end and elide the middle, so a 224-pixel input stays
readable. Transposed convolutions are drawn as the equivalent direct convolution: stride-1 zeros
inserted between input pixels, then ``dilation*(kernel_size-1) - padding`` pixels of padding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quizzes.diagrams.axes import (
    Axis,
    conv_axis,
    describe_axis,
    padding_sentence,
    plural,
    pool_axis,
    transposed_axis,
)
from quizzes.diagrams.svg import Diagram, padding_values_diagram, sliding_window_diagram

__all__ = ["Axis", "Diagram", "conv_axis", "diagram_for", "pool_axis", "transposed_axis"]

# ---------------------------------------------------------------------------------------------
# From a variant's params to a diagram.


def _pair(value: Any) -> tuple[int, int] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value, value)
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return (int(value[0]), int(value[1]))
    return None


def _spatial(input_shape: Any) -> tuple[int, int] | None:
    if not isinstance(input_shape, list | tuple) or len(input_shape) < 2:
        return None
    height, width = input_shape[-2], input_shape[-1]
    if not all(isinstance(v, int) and v > 0 for v in (height, width)):
        return None
    return (height, width)


def _conv_window(
    input_shape: Any,
    kernel_size: Any,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    *,
    prefix: str,
    layer: str = "Conv2d",
) -> Diagram | None:
    spatial = _spatial(input_shape)
    kernel, strides, dilations = _pair(kernel_size), _pair(stride), _pair(dilation)
    if spatial is None or kernel is None or strides is None or dilations is None:
        return None
    if padding == "valid":
        padding = 0
    if padding == "same":
        if strides != (1, 1):
            return None  # torch refuses padding='same' with a stride: nothing to draw
        splits = [
            (d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
            for k, d in zip(kernel, dilations, strict=True)
        ]
    else:
        pads = _pair(padding)
        if pads is None:
            return None
        splits = [(pads[0], pads[0]), (pads[1], pads[1])]
    if min(*kernel, *strides, *dilations) < 1 or min(p for s in splits for p in s) < 0:
        return None
    height = conv_axis("height", spatial[0], kernel[0], strides[0], splits[0], dilations[0])
    width = conv_axis("width", spatial[1], kernel[1], strides[1], splits[1], dilations[1])
    return _finish(height, width, prefix=prefix, layer=layer)


def _finish(
    height: Axis,
    width: Axis,
    *,
    prefix: str,
    layer: str,
    input_words: str = "input",
    lead: str | None = None,
) -> Diagram:
    kernel_words = f"{height.kernel}×{width.kernel}"
    if height.out > 0 and width.out > 0:
        title = (
            f"How a {kernel_words} window slides over the {height.size}×{width.size} "
            f"{input_words} to give {height.out}×{width.out}"
        )
    else:
        title = f"Why the {kernel_words} window does not fit the {height.size}×{width.size} input"
    diagram = sliding_window_diagram(
        height, width, title=title, layer_words=layer, input_words=input_words, prefix=prefix
    )
    description = [lead] if lead else []
    description.append(
        f"The {input_words} is {height.size} × {width.size} pixels. "
        + padding_sentence(height, width, input_words)
    )
    description.append(describe_axis(width))
    same_axes = (
        height.cells == width.cells
        and (height.kernel, height.stride, height.dilation)
        == (width.kernel, width.stride, width.dilation)
        and height.ceil_mode == width.ceil_mode
    )
    if same_axes:
        description.append(f"The height works the same way: {plural(height.out, 'output row')}.")
    else:
        description.append(describe_axis(height))
    if height.out > 0 and width.out > 0:
        description.append(
            f"So the output is {height.out} × {width.out}. Each output pixel is coloured like the "
            "window that produces it."
        )
    return Diagram(title=diagram.title, svg=diagram.svg, description=description, kind=diagram.kind)


def _pool_window(params: Mapping[str, Any], *, prefix: str) -> Diagram | None:
    spatial = _spatial(params.get("input_shape"))
    kernel = _pair(params.get("kernel_size"))
    stride_value = params.get("stride")
    strides = kernel if stride_value is None else _pair(stride_value)
    pads = _pair(params.get("padding", 0))
    dilations = _pair(params.get("dilation", 1))
    if spatial is None or kernel is None or strides is None or pads is None or dilations is None:
        return None
    if any(p * 2 > k for p, k in zip(pads, kernel, strict=True)):
        return None  # torch refuses padding over half the kernel: not a sliding-window story
    ceil_mode = bool(params.get("ceil_mode", False))
    axes = [
        pool_axis(name, spatial[i], kernel[i], strides[i], pads[i], dilations[i], ceil_mode)
        for i, name in enumerate(("height", "width"))
    ]
    layer = str(params.get("layer", "pooling"))
    lead = None
    if stride_value is None:
        lead = f"{layer} was given no stride, so its stride is the kernel size, {kernel[0]}."
    return _finish(axes[0], axes[1], prefix=prefix, layer=layer, lead=lead)


def _transposed_window(params: Mapping[str, Any], *, prefix: str) -> Diagram | None:
    spatial = _spatial(params.get("input_shape"))
    values = [
        _pair(params.get(name, default))
        for name, default in (
            ("kernel_size", None),
            ("stride", 1),
            ("padding", 0),
            ("output_padding", 0),
            ("dilation", 1),
        )
    ]
    if spatial is None or None in values:
        return None
    kernel, stride, padding, output_padding, dilation = values  # type: ignore[misc]
    if any(op >= max(s, d) for op, s, d in zip(output_padding, stride, dilation, strict=True)):
        return None  # torch refuses: output_padding must be smaller than stride or dilation
    axes = [
        transposed_axis(
            name, spatial[i], kernel[i], stride[i], padding[i], output_padding[i], dilation[i]
        )
        for i, name in enumerate(("height", "width"))
    ]
    if axes[0] is None or axes[1] is None:
        return None
    lead = (
        "A transposed convolution is drawn as the direct convolution it equals: "
        f"{stride[1] - 1} zero{'s' if stride[1] != 2 else ''} inserted between neighbouring "
        f"input pixels (stride {stride[1]}), a ring of dilation·(kernel_size − 1) − padding "
        f"= {axes[1].pad_before} pixels"
        + (
            f", and output_padding {output_padding[1]} extra at the end"
            if output_padding[1]
            else ""
        )
        + ", then a stride-1 window."
    )
    return _finish(
        axes[0],
        axes[1],
        prefix=prefix,
        layer="ConvTranspose2d",
        input_words="stretched input",
        lead=lead,
    )


_ERROR_SCENARIOS_WITH_A_PICTURE = {
    "runs",
    "padding_rescues",
    "large_padding_runs",
    "kernel_too_large",
    "dilated_too_large",
    "tuple_one_dimension",
    "unbatched_runs",
    "pool_output_too_small",
    "replicate_runs",
    "reflect_fits",
    "circular",
}


def _error_diagnosis(params: Mapping[str, Any], *, prefix: str) -> Diagram | None:
    if params.get("scenario") not in _ERROR_SCENARIOS_WITH_A_PICTURE:
        return None
    kwargs = dict(params.get("kwargs") or {})
    layer = params.get("layer")
    if layer == "Conv2d":
        if kwargs.get("groups", 1) != 1:
            return None
        mode = kwargs.get("padding_mode", "zeros")
        if mode not in ("zeros", "replicate", "reflect", "circular"):
            return None
        return _conv_window(
            params.get("input_shape"),
            kwargs.get("kernel_size"),
            kwargs.get("stride", 1),
            kwargs.get("padding", 0),
            kwargs.get("dilation", 1),
            prefix=prefix,
        )
    if layer in ("MaxPool2d", "AvgPool2d"):
        pool_params = {**kwargs, "input_shape": params.get("input_shape"), "layer": layer}
        return _pool_window(pool_params, prefix=prefix)
    return None


def diagram_for(family: str, params: Mapping[str, Any], *, prefix: str = "d") -> Diagram | None:
    """The diagram of a variant, or None when its question has no honest spatial picture."""
    try:
        return _diagram_for(family, params, prefix=prefix)
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError):
        # Params of a shape this module does not know yet: show no picture, never a wrong one.
        return None


def _diagram_for(family: str, params: Mapping[str, Any], *, prefix: str) -> Diagram | None:
    if family in ("conv_output", "same_padding"):
        if params.get("kind") in ("which_layer", "strided_same"):
            return None
        return _conv_window(
            params["input_shape"],
            params["kernel_size"],
            params.get("stride", 1),
            params.get("padding", 0),
            params.get("dilation", 1),
            prefix=prefix,
        )
    if family == "asymmetric":
        layers = params.get("layers") or []
        if len(layers) != 1:
            return None
        layer = layers[0]
        return _conv_window(
            params["input_shape"],
            layer["kernel_size"],
            layer.get("stride", 1),
            layer.get("padding", 0),
            layer.get("dilation", 1),
            prefix=prefix,
        )
    if family == "pooling":
        if params.get("asked") not in ("shape", "height", "width", "runs"):
            return None
        return _pool_window(params, prefix=prefix)
    if family == "transposed":
        if params.get("asked") not in ("shape", "height", "width"):
            return None
        return _transposed_window(params, prefix=prefix)
    if family == "error_diagnosis":
        return _error_diagnosis(params, prefix=prefix)
    if family == "design":
        example = params.get("example") or []
        if params.get("kind") not in ("one_layer", "dilation") or len(example) != 1:
            return None
        kernel, stride, padding, dilation = example[0]
        diagram = _conv_window(
            params["input_shape"], kernel, stride, padding, dilation, prefix=prefix
        )
        if diagram is None:
            return None
        setting = f"kernel_size={kernel}, stride={stride}, padding={padding}" + (
            f", dilation={dilation}" if dilation != 1 else ""
        )
        return Diagram(
            title=f"One design that works ({setting}): {diagram.title[0].lower()}"
            + diagram.title[1:],
            svg=diagram.svg,
            description=[f"One design that works is {setting}.", *diagram.description],
        )
    if family == "padding_modes":
        if params.get("asked") not in ("row", "which_mode"):
            return None
        return padding_values_diagram(
            params["values"],
            params["padding"],
            params["mode"],
            row=params.get("row"),
            prefix=prefix,
        )
    return None
