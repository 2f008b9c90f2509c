"""The question families. ``get_generator(family)`` and ``all_generators()`` are the entry points.

Each family lives in the module named after it and exposes ``GENERATOR``; the order below is the
order the catalogue shows them in. Modules load on first use, one family at a time.
"""

from __future__ import annotations

import importlib
from functools import cache

from quizzes.generators.base import Difficulty, Generator, Variant

FAMILY_MODULES: tuple[str, ...] = (
    "conv_output",  # 1. Conv2d output size, one dimension and the full tensor
    "same_padding",  # 2. padding that keeps the size
    "concepts",  # 3. what each argument controls
    "constructor",  # 4. which nn.Conv2d(...) call matches a spec
    "error_diagnosis",  # 5. does it run, and if not why
    "layer_stacks",  # 6. shapes through several layers
    "receptive_field",  # 7. receptive field of a stack
    "pooling",  # 8. MaxPool2d / AvgPool2d, ceil_mode
    "transposed",  # 9. ConvTranspose2d and output_padding
    "padding_modes",  # 10. zeros, reflect, replicate, circular
    "asymmetric",  # 11. tuple arguments on non-square inputs
    "design",  # 12. choose kernel/stride/padding for a target shape
    "parameters",  # 13. parameter and multiply-accumulate counts
)


class UnknownFamilyError(LookupError):
    pass


@cache
def get_generator(family: str) -> Generator:
    if family not in FAMILY_MODULES:
        known = ", ".join(FAMILY_MODULES)
        raise UnknownFamilyError(f"unknown family '{family}' (known: {known})")
    generator: Generator = importlib.import_module(f"{__name__}.{family}").GENERATOR
    assert generator.family == family, f"{family}.GENERATOR says it is {generator.family}"
    return generator


def all_generators() -> tuple[Generator, ...]:
    return tuple(get_generator(family) for family in FAMILY_MODULES)


def family_names() -> list[str]:
    return list(FAMILY_MODULES)


__all__ = [
    "Difficulty",
    "Generator",
    "UnknownFamilyError",
    "Variant",
    "all_generators",
    "family_names",
    "get_generator",
]
