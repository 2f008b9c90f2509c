from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.questions import (
    TEMPLATE_MODULES,
    UnknownCodeTemplateError,
    all_templates,
    get_template,
    template_slugs,
)
from grader.questions.common import ShapeRuleTemplate

ROOT = Path(__file__).resolve().parents[3]


def test_at_least_twelve_templates_one_module_each() -> None:
    templates = all_templates()

    assert len(templates) == len(TEMPLATE_MODULES) >= 12
    assert [template.slug for template in templates] == template_slugs()
    assert len(set(template_slugs())) == len(template_slugs())
    for module_name, template in zip(TEMPLATE_MODULES, templates, strict=True):
        module = importlib.import_module(f"grader.questions.{module_name}")
        assert module.TEMPLATE is template
        assert isinstance(template, ShapeRuleTemplate)
        assert template.title
        assert template.description
        assert len(template.description) <= 100


def test_get_template_by_slug() -> None:
    template = get_template("map-shape")

    assert template.slug == "map-shape"
    assert get_template("map-shape") is template


def test_unknown_slug_lists_the_known_ones() -> None:
    with pytest.raises(UnknownCodeTemplateError) as raised:
        get_template("conv-everything")

    assert "unknown code-question template 'conv-everything'" in str(raised.value)
    for slug in template_slugs():
        assert slug in str(raised.value)


def test_templates_and_reference_import_no_django() -> None:
    # A fresh interpreter: this test process has Django loaded by pytest-django already.
    modules = ", ".join(f"grader.questions.{name}" for name in TEMPLATE_MODULES)
    script = (
        f"import sys, grader.reference, {modules}; "
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'django'))"
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    assert result.stdout.strip() == "[]"
