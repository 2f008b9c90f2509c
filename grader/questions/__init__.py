"""The code-question templates. ``get_template(slug)`` and ``all_templates()`` are the entry points.

Each template lives in its own module and exposes ``TEMPLATE``; the order below is the order the
catalogue and ``manage.py grade --help`` list them in. Modules load on first use. Pure Python and
torch: nothing here imports Django.
"""

from __future__ import annotations

import importlib
from functools import cache

from grader.questions.base import (
    CodeQuestionTemplate,
    CodeVariant,
    Constraint,
    ConstraintKind,
    Device,
    InputRange,
)

TEMPLATE_MODULES: tuple[str, ...] = (
    "map_shape",  # one Conv2d from shape A to shape B
    "downsample_by_four",  # two strided convs, no pooling
    "keep_size_357",  # kernels 3, 5, 7 with the size kept
    "fix_broken_network",  # the starter raises; fix the shape bug
    "undo_with_transposed",  # ConvTranspose2d that inverts a Conv2d's shape change
    "inception_block",  # parallel branches concatenated along the channels
    "receptive_field_stack",  # reach an exact receptive field
    "resnet_shortcut",  # projection shortcut of a stride-2 residual block (gpu)
    "pool_to_target",  # two pooling layers, floor or ceil rounding
    "unet_skip",  # decoder map matches the encoder map for odd sizes
    "dilated_same",  # same padding with dilation
    "flatten_to_linear",  # Linear in_features after a conv stack
    "factorized_kernel",  # 1×K and K×1 with tuple padding and stride
    "parameter_budget",  # depthwise-separable under a parameter limit
)


class UnknownCodeTemplateError(LookupError):
    pass


def _module_name(slug: str) -> str:
    # Slugs are the module names with dashes, so a lookup imports one module only.
    return slug.replace("-", "_")


@cache
def get_template(slug: str) -> CodeQuestionTemplate:
    """The template with this slug, e.g. "map-shape"."""
    module_name = _module_name(slug)
    if module_name not in TEMPLATE_MODULES:
        known = ", ".join(template_slugs())
        raise UnknownCodeTemplateError(f"unknown code-question template '{slug}' (known: {known})")
    template: CodeQuestionTemplate = importlib.import_module(f"{__name__}.{module_name}").TEMPLATE
    assert template.slug == slug, f"{module_name}.TEMPLATE says it is {template.slug}"
    return template


def all_templates() -> tuple[CodeQuestionTemplate, ...]:
    return tuple(get_template(slug) for slug in template_slugs())


def template_slugs() -> list[str]:
    return [name.replace("_", "-") for name in TEMPLATE_MODULES]


__all__ = [
    "CodeQuestionTemplate",
    "CodeVariant",
    "Constraint",
    "ConstraintKind",
    "Device",
    "InputRange",
    "UnknownCodeTemplateError",
    "all_templates",
    "get_template",
    "template_slugs",
]
