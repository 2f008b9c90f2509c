"""Forgiving parsers for what students type. They never raise: a failure is a readable message.

Accepted shapes: ``4``, ``(1, 6, 28, 28)``, ``1x6x28x28``, ``[1,6,28,28]``,
``torch.Size([1, 6, 28, 28])``, with any surrounding whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MAX_ANSWER_LENGTH = 500
MAX_MAGNITUDE = 10**12

_INTEGER = re.compile(r"[+-]?\d+")
_GROUPED_INTEGER = re.compile(r"[+-]?\d{1,3}(?:([,_ ])\d{3})(?:\1\d{3})*")
_WRAPPER_PREFIXES = ("torch.size", "size")
_SEPARATORS = re.compile(r"\s*(?:,|x|×|\*|\s)\s*", re.IGNORECASE)
# The lookbehind keeps findall linear: without it every letter of a long word starts a new scan.
_NAMED = re.compile(r"(?<![a-z_])([a-z_]+)\s*[=:]\s*([+-]?\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Parsed:
    value: Any = None
    error: str = ""


def _prepare(raw: object) -> str | Parsed:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)  # a JSON client may send 4 rather than "4"
    if raw is None:
        return Parsed(error="Your answer is empty: type it in the box.")
    if not isinstance(raw, str):
        return Parsed(error="Could not read your answer: type it as text, e.g. 14.")
    text = raw.strip()
    if not text:
        return Parsed(error="Your answer is empty: type it in the box.")
    if len(text) > MAX_ANSWER_LENGTH:
        return Parsed(error=f"Your answer is too long (over {MAX_ANSWER_LENGTH} characters).")
    return text


def _to_int(token: str) -> int | None:
    if not _INTEGER.fullmatch(token):
        return None
    value = int(token)
    return value if abs(value) <= MAX_MAGNITUDE else None


def parse_integer(raw: object) -> Parsed:
    text = _prepare(raw)
    if isinstance(text, Parsed):
        return text
    cleaned = text.rstrip(".")
    # Thousands separators in big counts: "86,700", "86 700", "86_700".
    if _GROUPED_INTEGER.fullmatch(cleaned):
        cleaned = re.sub(r"[,_ ]", "", cleaned)
    # "4.0" is an integer in disguise; "4.5" is not one.
    if re.fullmatch(r"[+-]?\d+\.0*", cleaned):
        cleaned = cleaned.split(".")[0]
    value = _to_int(cleaned)
    if value is None:
        return Parsed(error=f"Could not read {_quote(text)} as a whole number, e.g. 14.")
    return Parsed(value=value)


def _split_numbers(text: str) -> list[str] | None:
    inner = _unwrap_size(text.strip())
    while len(inner) >= 2 and inner[0] + inner[-1] in ("()", "[]", "{}"):
        inner = inner[1:-1].strip()
    if not inner:
        return []
    return [token for token in _SEPARATORS.split(inner) if token != ""]


def _unwrap_size(text: str) -> str:
    """``torch.Size([1, 6])`` or ``size(1, 6)`` (any case) -> what is inside the parentheses.

    Plain string checks, not a regex: a lazy ``(.*?)\\s*\\)`` took ~0.3 s on 500 spaces.
    """
    for prefix in _WRAPPER_PREFIXES:
        if text[: len(prefix)].lower() == prefix:
            rest = text[len(prefix) :].strip()
            if len(rest) >= 2 and rest[0] == "(" and rest[-1] == ")":
                return rest[1:-1].strip()
    return text


def parse_sequence(raw: object, *, expected_length: int | None = None) -> Parsed:
    """A list of integers, in any of the accepted bracket and separator styles."""
    text = _prepare(raw)
    if isinstance(text, Parsed):
        return text
    tokens = _split_numbers(text)
    values = [_to_int(token) for token in tokens] if tokens is not None else []
    if not tokens or any(value is None for value in values):
        example = "(1, 6, 28, 28)" if expected_length in (None, 4) else _example(expected_length)
        return Parsed(
            error=f"Could not read {_quote(text)} as a list of whole numbers, e.g. {example}."
        )
    if expected_length is not None and len(values) != expected_length:
        return Parsed(
            error=(
                f"Your answer has {len(values)} number{'s' if len(values) != 1 else ''}; "
                f"this question expects {expected_length}, e.g. {_example(expected_length)}."
            )
        )
    return Parsed(value=values)


def parse_shape(raw: object, *, expected_length: int | None = None) -> Parsed:
    parsed = parse_sequence(raw, expected_length=expected_length)
    if parsed.error:
        return Parsed(error=parsed.error.replace("a list of whole numbers", "a shape"))
    return Parsed(value=tuple(parsed.value))


def parse_choice(raw: object, labels: Sequence[str]) -> Parsed:
    text = _prepare(raw)
    if isinstance(text, Parsed):
        return Parsed(error="Pick one of the options.")
    candidate = re.sub(r"^(?:option\s+)?\(?([a-z])\)?[.):]?$", r"\1", text, flags=re.IGNORECASE)
    candidate = candidate.upper()
    if candidate in labels:
        return Parsed(value=candidate)
    return Parsed(error=f"Could not read {_quote(text)} as one of the options {', '.join(labels)}.")


def parse_integers(raw: object) -> Parsed:
    """Any number of integers (for design answers such as ``k=3, s=2, p=1``): keeps names."""
    text = _prepare(raw)
    if isinstance(text, Parsed):
        return text
    named = dict(_NAMED.findall(text))
    if named:
        return Parsed(value={key.lower(): int(value) for key, value in named.items()})
    parsed = parse_sequence(text)
    if parsed.error:
        return Parsed(error=f"Could not read {_quote(text)} as numbers, e.g. 3, 2, 1.")
    return Parsed(value=parsed.value)


def format_value(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "(" + ", ".join(str(item) for item in value) + ")"
    return str(value)


def _example(length: int | None) -> str:
    samples = [1, 6, 28, 28, 5, 5, 3, 3]
    count = length or 4
    return "(" + ", ".join(str(samples[i % len(samples)]) for i in range(count)) + ")"


def _quote(text: str) -> str:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return f"'{shown}'"
