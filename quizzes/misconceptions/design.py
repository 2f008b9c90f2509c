"""Mistakes made when designing a layer for a target shape (family 12).

A design answer is a whole setting, so most wrong answers are diagnosed with the formula
misconceptions of ``conv`` (the setting gives the target under the mistaken formula). The entries
here name what is specific to designing: breaking the stated rules, checking only one dimension,
and choosing a setting torch refuses to run.
"""

from __future__ import annotations

from quizzes.misconceptions import Misconception, register

BROKE_RULE = register(
    Misconception(
        id="design_broke_rule",
        title="Used a setting outside the question's rules",
        explanation=(
            "The shape comes out right, but a value is outside the limits the question sets "
            "(for example more padding than half the kernel span, which only adds borders the "
            "kernel barely touches). Stay inside the stated ranges."
        ),
        hint="Before you compute, reread the rules under the code.",
    )
)
ONE_DIMENSION_ONLY = register(
    Misconception(
        id="design_one_dimension_only",
        title="Checked only one dimension",
        explanation=(
            "A single int kernel_size, stride and padding applies to both height and width, so "
            "the setting must map each of them to its own target; check both."
        ),
        hint="The input is not square: does your setting work for the width as well?",
    )
)
TORCH_REFUSES = register(
    Misconception(
        id="design_torch_refuses",
        title="Chose a setting torch refuses",
        explanation=(
            "kernel_size, stride and dilation must be at least 1, padding at least 0, and the "
            "(dilated) kernel must fit inside the padded input, or nn.Conv2d raises instead of "
            "producing any shape."
        ),
        hint="Does the kernel fit inside the padded input at every layer?",
    )
)
