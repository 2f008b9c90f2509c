"""The formulas of a question as MathML, rendered on the server from the variant's params.

Pure Python (no Django). Browsers render MathML Core natively (Chromium since 109, Firefox,
Safari), so the page needs no maths library and works offline. Each family gets its general
formula and, where the question has numbers to put in, the same formula with them substituted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from quizzes.shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
)

MATH_NS = "http://www.w3.org/1998/Math/MathML"


@dataclass(frozen=True)
class Formula:
    label: str  # "Conv2d output size, per spatial dimension"
    mathml: str  # a complete <math display="block"> element
    text: str  # the same formula in plain text, for screen readers and copying


# ---------------------------------------------------------------------------------------------
# Building blocks. Each returns MathML markup; text is escaped here and nowhere else.


def mi(name: str) -> str:
    variant = ' mathvariant="normal"' if len(name) > 1 else ""
    return f"<mi{variant}>{escape(name)}</mi>"


def mn(value: int | str) -> str:
    return f"<mn>{escape(str(value))}</mn>"


def mo(symbol: str) -> str:
    return f"<mo>{escape(symbol)}</mo>"


def row(*parts: str) -> str:
    return "<mrow>" + "".join(parts) + "</mrow>"


def frac(numerator: str, denominator: str) -> str:
    return f"<mfrac>{numerator}{denominator}</mfrac>"


def sub(base: str, subscript: str) -> str:
    return f"<msub>{base}{subscript}</msub>"


def floor(content: str) -> str:
    # Written floor(...): browsers stretch parentheses around a fraction with any font, but the
    # floor brackets only with a maths font, which an offline machine may not have.
    return row(mi("floor"), "<mo>&#x2061;</mo>", paren(content))


def ceil(content: str) -> str:
    return row(mi("ceil"), "<mo>&#x2061;</mo>", paren(content))


def paren(content: str) -> str:
    return row(_fence("("), content, _fence(")"))


def _fence(symbol: str) -> str:
    # Explicitly stretchy: the floor and ceiling brackets then grow with the fraction they hold.
    return f'<mo fence="true" stretchy="true" symmetric="true">{symbol}</mo>'


def math(content: str, label: str) -> str:
    return (
        f'<math xmlns="{MATH_NS}" display="block" aria-label="{escape(label)}">'
        f"{row(content)}</math>"
    )


def _value(token: str | int) -> str:
    return mn(token) if isinstance(token, int) else mi(token)


# ---------------------------------------------------------------------------------------------
# The formulas.


def conv_expression(
    size: str | int,
    kernel: str | int,
    stride: str | int,
    padding: str | int,
    dilation: str | int,
    *,
    rounding: str = "floor",
) -> str:
    numerator = row(
        _value(size),
        mo("+"),
        mn(2),
        mo("·"),
        _value(padding),
        mo("−"),
        _value(dilation),
        mo("·"),
        paren(row(_value(kernel), mo("−"), mn(1))),
        mo("−"),
        mn(1),
    )
    fraction = frac(numerator, _value(stride))
    rounded = ceil(fraction) if rounding == "ceil" else floor(fraction)
    return row(rounded, mo("+"), mn(1))


def conv_text(size: Any, kernel: Any, stride: Any, padding: Any, dilation: Any, ceil_: bool) -> str:
    left, right = ("⌈", "⌉") if ceil_ else ("⌊", "⌋")
    return f"{left}({size} + 2·{padding} − {dilation}·({kernel} − 1) − 1) / {stride}{right} + 1"


def conv_general(*, rounding: str = "floor", label: str = "Conv2d output size") -> Formula:
    expression = row(
        sub(mi("out"), mi("d")),
        mo("="),
        conv_expression("in", "kernel_size", "stride", "padding", "dilation", rounding=rounding),
    )
    text = "out = " + conv_text(
        "in", "kernel_size", "stride", "padding", "dilation", rounding == "ceil"
    )
    return Formula(f"{label}, for each spatial dimension d", math(expression, text), text)


def conv_substituted(
    axis: str,
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    dilation: int,
    *,
    ceil_mode: bool = False,
    result: int | None = None,
) -> Formula:
    if result is None:
        result = conv_output_size(size, kernel, stride, padding, dilation)
    name = "H" if axis == "height" else "W"
    expression = row(
        sub(mi(name), mi("out")),
        mo("="),
        conv_expression(
            size, kernel, stride, padding, dilation, rounding="ceil" if ceil_mode else "floor"
        ),
        mo("="),
        mn(result),
    )
    text = f"{name}_out = {conv_text(size, kernel, stride, padding, dilation, ceil_mode)}"
    text += f" = {result}"
    return Formula(
        f"{axis.capitalize()} with this question's numbers", math(expression, text), text
    )


def transposed_general() -> Formula:
    expression = row(
        sub(mi("out"), mi("d")),
        mo("="),
        paren(row(mi("in"), mo("−"), mn(1))),
        mo("·"),
        mi("stride"),
        mo("−"),
        mn(2),
        mo("·"),
        mi("padding"),
        mo("+"),
        mi("dilation"),
        mo("·"),
        paren(row(mi("kernel_size"), mo("−"), mn(1))),
        mo("+"),
        mi("output_padding"),
        mo("+"),
        mn(1),
    )
    text = "out = (in − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1"
    return Formula(
        "ConvTranspose2d output size, for each spatial dimension d", math(expression, text), text
    )


def transposed_substituted(
    axis: str, size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> Formula:
    result = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    name = "H" if axis == "height" else "W"
    expression = row(
        sub(mi(name), mi("out")),
        mo("="),
        paren(row(mn(size), mo("−"), mn(1))),
        mo("·"),
        mn(stride),
        mo("−"),
        mn(2),
        mo("·"),
        mn(padding),
        mo("+"),
        mn(dilation),
        mo("·"),
        paren(row(mn(kernel), mo("−"), mn(1))),
        mo("+"),
        mn(output_padding),
        mo("+"),
        mn(1),
        mo("="),
        mn(result),
    )
    text = (
        f"{name}_out = ({size} − 1)·{stride} − 2·{padding} + {dilation}·({kernel} − 1) + "
        f"{output_padding} + 1 = {result}"
    )
    return Formula(
        f"{axis.capitalize()} with this question's numbers", math(expression, text), text
    )


def parameters_general(*, bias: bool = True) -> Formula:
    weights = row(
        sub(mi("C"), mi("out")),
        mo("·"),
        frac(sub(mi("C"), mi("in")), mi("groups")),
        mo("·"),
        sub(mi("k"), mi("H")),
        mo("·"),
        sub(mi("k"), mi("W")),
    )
    parts = [mi("params"), mo("="), weights]
    text = "params = C_out · (C_in / groups) · k_H · k_W"
    if bias:
        parts += [mo("+"), sub(mi("C"), mi("out"))]
        text += " + C_out (bias)"
    return Formula("Parameters of a Conv2d", math(row(*parts), text), text)


def macs_general() -> Formula:
    expression = row(
        mi("MACs"),
        mo("="),
        sub(mi("C"), mi("out")),
        mo("·"),
        sub(mi("H"), mi("out")),
        mo("·"),
        sub(mi("W"), mi("out")),
        mo("·"),
        frac(sub(mi("C"), mi("in")), mi("groups")),
        mo("·"),
        sub(mi("k"), mi("H")),
        mo("·"),
        sub(mi("k"), mi("W")),
    )
    text = "MACs = C_out · H_out · W_out · (C_in / groups) · k_H · k_W"
    return Formula("Multiply-accumulates of a Conv2d", math(expression, text), text)


def receptive_general() -> Formula:
    expression = row(
        sub(mi("r"), mi("l")),
        mo("="),
        sub(mi("r"), row(mi("l"), mo("−"), mn(1))),
        mo("+"),
        paren(row(sub(mi("k"), mi("l")), mo("−"), mn(1))),
        mo("·"),
        sub(mi("d"), mi("l")),
        mo("·"),
        sub(mi("j"), row(mi("l"), mo("−"), mn(1))),
        mo(","),
        mspace(),
        sub(mi("j"), mi("l")),
        mo("="),
        sub(mi("j"), row(mi("l"), mo("−"), mn(1))),
        mo("·"),
        sub(mi("s"), mi("l")),
    )
    text = "r_l = r_(l−1) + (k_l − 1)·d_l·j_(l−1), j_l = j_(l−1)·s_l, starting from r_0 = j_0 = 1"
    return Formula("Receptive field, layer by layer", math(expression, text), text)


def mspace() -> str:
    return '<mspace width="1em"/>'


# ---------------------------------------------------------------------------------------------
# From a variant's params to its formulas.


def _pair(value: Any) -> tuple[int, int] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value, value)
    if (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 2
        and all(isinstance(v, int) for v in value)
    ):
        return (int(value[0]), int(value[1]))
    return None


def _conv_formulas(
    input_shape: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    *,
    pooling: bool = False,
    ceil_mode: bool = False,
) -> list[Formula]:
    label = "Pooling output size" if pooling else "Conv2d output size"
    formulas = [conv_general(rounding="ceil" if ceil_mode else "floor", label=label)]
    pairs = [_pair(v) for v in (kernel_size, stride, padding, dilation)]
    if not isinstance(input_shape, Sequence) or len(input_shape) < 2 or None in pairs:
        return formulas
    kernel, strides, pads, dilations = pairs  # type: ignore[misc]
    sizes = (int(input_shape[-2]), int(input_shape[-1]))
    seen: set[tuple[int, ...]] = set()
    for index, axis in enumerate(("height", "width")):
        numbers = (sizes[index], kernel[index], strides[index], pads[index], dilations[index])
        if numbers in seen:
            continue
        seen.add(numbers)
        result = (
            pool_output_size(*numbers, ceil_mode=ceil_mode)
            if pooling
            else conv_output_size(*numbers)
        )
        if result < 1:
            continue  # torch refuses: no honest number to show
        formulas.append(conv_substituted(axis, *numbers, ceil_mode=ceil_mode, result=result))
    if len(formulas) == 2:
        formulas[1] = Formula(
            "Height and width with this question's numbers", formulas[1].mathml, formulas[1].text
        )
    return formulas


def formulas_for(family: str, params: Mapping[str, Any]) -> list[Formula]:
    """The formulas worth showing with a variant's solution (empty for word questions)."""
    try:
        return _formulas_for(family, params)
    except (KeyError, TypeError, ValueError, IndexError):
        return []


def _formulas_for(family: str, params: Mapping[str, Any]) -> list[Formula]:
    if family in ("conv_output", "same_padding"):
        if params.get("kind") == "strided_same" or not isinstance(params.get("padding"), int):
            return [conv_general()]
        return _conv_formulas(
            params["input_shape"],
            params["kernel_size"],
            params.get("stride", 1),
            params["padding"],
            params.get("dilation", 1),
        )
    if family == "asymmetric":
        layers = params.get("layers") or []
        if len(layers) == 1:
            layer = layers[0]
            return _conv_formulas(
                params["input_shape"],
                layer["kernel_size"],
                layer.get("stride", 1),
                layer.get("padding", 0),
                layer.get("dilation", 1),
            )
        return [conv_general()]
    if family == "pooling":
        stride = params.get("stride")
        return _conv_formulas(
            params["input_shape"],
            params["kernel_size"],
            params["kernel_size"] if stride is None else stride,
            params.get("padding", 0),
            params.get("dilation", 1),
            pooling=True,
            ceil_mode=bool(params.get("ceil_mode")),
        )
    if family == "transposed":
        formulas = [transposed_general()]
        if params.get("asked") in ("shape", "height", "width"):
            shape = params["input_shape"]
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
            if None not in values:
                kernel, stride, padding, output_padding, dilation = values  # type: ignore[misc]
                axes = [("height", 0)]
                if (shape[-2], *[v[0] for v in values]) != (shape[-1], *[v[1] for v in values]):
                    axes.append(("width", 1))
                for axis, i in axes:
                    formulas.append(
                        transposed_substituted(
                            axis,
                            shape[-2 + i],
                            kernel[i],
                            stride[i],
                            padding[i],
                            output_padding[i],
                            dilation[i],
                        )
                    )
        return formulas
    if family in ("layer_stacks", "design", "error_diagnosis"):
        return [conv_general()]
    if family == "receptive_field":
        return [receptive_general()]
    if family == "parameters":
        if params.get("asked") == "macs":
            return [macs_general()]
        return [parameters_general(bias=bool(params.get("bias", True)))]
    return []
