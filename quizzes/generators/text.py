"""Shared wording for prompts and worked solutions, so every family reads the same way."""

from __future__ import annotations

from collections.abc import Sequence

FORMULA = "out = ⌊(in + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1"
FORMULA_NO_DILATION = "out = ⌊(in + 2·padding − kernel_size) / stride⌋ + 1"


def formula_line(with_dilation: bool) -> str:
    """The PyTorch docs' formula, simplified when dilation is 1 (as the tutorials write it)."""
    if with_dilation:
        return f"For each spatial dimension (from the nn.Conv2d docs):\n\n`{FORMULA}`"
    return (
        f"For each spatial dimension (from the nn.Conv2d docs, with dilation 1):\n\n"
        f"`{FORMULA_NO_DILATION}`"
    )


def argument(value: int | Sequence[int]) -> str:
    if isinstance(value, int):
        return str(value)
    if len(value) == 2:  # (height, width), the usual tuple: one f-string instead of a join
        return f"({value[0]}, {value[1]})"
    return "(" + ", ".join(map(str, value)) + ")"


def conv2d_call(
    in_channels: int,
    out_channels: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    padding: int | str | Sequence[int] = 0,
    dilation: int | Sequence[int] = 1,
    *,
    layer: str = "nn.Conv2d",
    extra: str = "",
) -> str:
    """``nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)``, leaving defaults out."""
    # Plain ints (nearly every call) are formatted inline: argument() is for tuples.
    text = (
        f"{layer}({in_channels}, {out_channels}, kernel_size="
        f"{kernel_size if kernel_size.__class__ is int else argument(kernel_size)}"
    )
    if stride != 1:
        text += f", stride={stride if stride.__class__ is int else argument(stride)}"
    if padding != 0:
        if padding.__class__ is int:
            text += f", padding={padding}"
        elif isinstance(padding, str):
            text += f", padding={padding!r}"
        else:
            text += f", padding={argument(padding)}"
    if dilation != 1:
        text += f", dilation={dilation if dilation.__class__ is int else argument(dilation)}"
    if extra:
        text += f", {extra}"
    return text + ")"


def dimension_working(
    name: str, size: int, kernel: int, stride: int, padding: int, dilation: int = 1
) -> str:
    """One dimension worked like the tutorials: substitute, simplify, floor, add one."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1
    out = numerator // stride + 1  # conv_output_size, from the numerator shown below
    if dilation > 1:
        substituted = f"⌊({size} + 2·{padding} − {dilation}·({kernel} − 1) − 1) / {stride}⌋ + 1"
        given = f", dilation = {dilation}"
    else:
        substituted = f"⌊({size} + 2·{padding} − {kernel}) / {stride}⌋ + 1"
        given = ""
    quotient = f"{numerator}/{stride}" if stride != 1 else f"{numerator}"
    floored = numerator // stride
    exact = "" if stride == 1 or numerator % stride == 0 else f" = ⌊{numerator / stride:g}⌋ + 1"
    return (
        f"{name}: in = {size}, kernel_size = {kernel}, stride = {stride}, padding = {padding}"
        f"{given}\n\n{name}_out = {substituted} = ⌊{quotient}⌋ + 1{exact} = {floored} + 1 = "
        f"**{out}**"
    )


def shape_text(shape: Sequence[int]) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"
