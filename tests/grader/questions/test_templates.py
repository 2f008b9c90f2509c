"""Every code-question template, over many seeds: the prompt, the reference and torch agree.

For each template and seed: the reference runs on the visible input and at the extremes of every
hidden range and gives the shape the prompt promises; it satisfies the question's constraints;
the starter does not pass; an answer that hard-codes the example's output fails a hidden case
whatever the draw; the variant is deterministic and its public view keeps the secrets.
"""

from __future__ import annotations

import json
import random
from functools import cache

import pytest

from grader.questions import all_templates, get_template, template_slugs
from grader.questions.base import CodeVariant, Device
from grader.questions.common import ShapeRuleTemplate, code_shape
from grader.reference import (
    allowed_sizes,
    check_constraints,
    draw_hidden_shapes,
    expected_outputs,
    reference_parameter_count,
    trace_layer_types,
)
from tests.grader.questions.grading import (
    SEEDS,
    failing_shapes,
    hidden_extremes,
    snippet_constraints_pass,
    snippet_output,
)

SLUGS = template_slugs()

HARD_CODED = """import torch
import torch.nn as nn


class HardCoded(nn.Module):
    def forward(self, x):
        return torch.zeros({shape}, device=x.device)


{entry}
"""


@cache
def variants(slug: str) -> tuple[CodeVariant, ...]:
    template = get_template(slug)
    return tuple(template.generate(seed=seed) for seed in SEEDS)


def template(slug: str) -> ShapeRuleTemplate:
    found = get_template(slug)
    assert isinstance(found, ShapeRuleTemplate)
    return found


def hard_coded(variant: CodeVariant, shape_expression: str) -> str:
    entry = (
        "model = HardCoded()"
        if variant.entry == "model"
        else f"def {variant.entry}():\n    return HardCoded()"
    )
    return HARD_CODED.format(shape=shape_expression, entry=entry)


@pytest.mark.parametrize("slug", SLUGS)
def test_reference_gives_the_promised_shape_on_visible_and_extreme_inputs(slug: str) -> None:
    for variant in variants(slug):
        shapes = [variant.visible_input] + [
            shape for extremes in hidden_extremes(variant) for shape in extremes
        ]

        cases = expected_outputs(variant, shapes)

        for case in cases:
            promised = template(slug).promised_output(variant.params, case.input_shape)
            assert case.output_shape == promised, (variant.seed, case.input_shape)
            assert case.device == "meta"
        assert list(cases[0].output_shape) == variant.params["visible_output"]


@pytest.mark.parametrize("slug", SLUGS)
def test_reference_gives_the_promised_shape_on_randomly_drawn_inputs(slug: str) -> None:
    rng = random.Random(f"draws:{slug}")
    # The extremes test above is the exhaustive one; these draws check the drawing path.
    for variant in variants(slug)[:20]:
        shapes = draw_hidden_shapes(variant, rng)

        cases = expected_outputs(variant, shapes)

        assert len(cases) == len(variant.hidden_inputs)
        for case in cases:
            promised = template(slug).promised_output(variant.params, case.input_shape)
            assert case.output_shape == promised, (variant.seed, case.input_shape)


@pytest.mark.parametrize("slug", SLUGS)
def test_reference_satisfies_every_constraint(slug: str) -> None:
    for variant in variants(slug):
        (case,) = expected_outputs(variant, [variant.visible_input])

        results = check_constraints(
            variant.constraints,
            trace_layer_types(case.trace),
            reference_parameter_count(variant),
        )

        assert [result.passed for result in results] == [True] * len(variant.constraints), (
            variant.seed,
            [result.message for result in results],
        )


@pytest.mark.parametrize("slug", SLUGS)
def test_starter_does_not_pass(slug: str) -> None:
    for variant in variants(slug):
        visible_output = tuple(variant.params["visible_output"])
        # The sandbox runs real tensors, so the broken network must raise a real CPU error;
        # elsewhere meta is enough (it raises no more often than CPU does) and much cheaper.
        device = "cpu" if slug == "fix-broken-network" else "meta"

        output = snippet_output(variant.starter_code, variant.entry, variant.visible_input, device)

        if slug == "fix-broken-network":
            assert output is None, variant.seed
            continue
        if output is None or output != visible_output:
            continue
        hidden = [shape for extremes in hidden_extremes(variant) for shape in extremes]
        assert failing_shapes(variant, variant.starter_code, hidden), variant.seed


@pytest.mark.parametrize("slug", SLUGS)
def test_hard_coding_the_example_output_fails_a_hidden_case_for_every_draw(slug: str) -> None:
    for variant in variants(slug):
        visible_output = tuple(variant.params["visible_output"])
        literal = hard_coded(variant, repr(visible_output))
        batch_aware = hard_coded(variant, f"(x.shape[0], *{visible_output[1:]!r})")
        assert snippet_output(literal, variant.entry, variant.visible_input, "meta") == (
            visible_output
        )
        is_batch_aware_caught_by_rules = not snippet_constraints_pass(variant, batch_aware)

        for extremes in hidden_extremes(variant):
            # Every shape a range can draw fails, so every draw of a submission fails a case.
            assert failing_shapes(variant, literal, extremes) == extremes, variant.seed
            if not is_batch_aware_caught_by_rules:
                assert failing_shapes(variant, batch_aware, extremes) == extremes, variant.seed


def test_only_flatten_to_linear_relies_on_its_rules_against_a_batch_aware_hard_code() -> None:
    relying = set()
    for slug in SLUGS:
        for variant in variants(slug)[:5]:
            visible_output = tuple(variant.params["visible_output"])
            batch_aware = hard_coded(variant, f"(x.shape[0], *{visible_output[1:]!r})")
            shapes = [shape for extremes in hidden_extremes(variant) for shape in extremes]
            if not failing_shapes(variant, batch_aware, shapes):
                assert not snippet_constraints_pass(variant, batch_aware)
                relying.add(slug)

    assert relying == {"flatten-to-linear"}


@pytest.mark.parametrize("slug", SLUGS)
def test_same_seed_gives_the_same_variant_and_it_round_trips(slug: str) -> None:
    for seed in (0, 7, 123456):
        first = get_template(slug).generate(seed=seed)
        second = get_template(slug).generate(seed=seed)

        assert first.to_dict() == second.to_dict()
        assert CodeVariant.from_dict(json.loads(json.dumps(first.to_dict()))) == first


@pytest.mark.parametrize("slug", SLUGS)
def test_seeds_give_different_numbers(slug: str) -> None:
    # What a student sees: the prompt and the numbers in the starter.
    prompts = [variant.prompt + variant.starter_code for variant in variants(slug)]
    params = {json.dumps(variant.params, sort_keys=True) for variant in variants(slug)}

    assert len(set(prompts)) >= 0.9 * len(prompts)
    assert len(params) >= 20


@pytest.mark.parametrize("slug", SLUGS)
def test_public_view_keeps_the_secrets(slug: str) -> None:
    for variant in variants(slug)[:10]:
        public = variant.public_dict()

        assert "reference_code" not in public
        assert "hidden_inputs" not in public
        assert set(public) == set(variant.to_dict()) - {"reference_code", "hidden_inputs"}
        assert variant.reference_code not in json.dumps(public)


@pytest.mark.parametrize("slug", SLUGS)
def test_prompt_states_example_entry_and_rules(slug: str) -> None:
    for variant in variants(slug):
        prompt = variant.prompt

        assert variant.template == slug
        assert variant.title == get_template(slug).title
        assert code_shape(variant.visible_input) in prompt
        assert code_shape(variant.params["visible_output"]) in prompt
        assert f"`{variant.entry}" in prompt
        assert "**For every input.**" in prompt
        for constraint in variant.constraints:
            assert f"- {constraint.description}" in prompt
        assert variant.hints
        assert variant.starter_code.startswith("import torch\n")
        assert variant.reference_code.startswith("import torch\n")
        assert variant.starter_code != variant.reference_code


@pytest.mark.parametrize("slug", SLUGS)
def test_hidden_ranges_are_sound_and_limits_modest(slug: str) -> None:
    for variant in variants(slug):
        assert len(variant.hidden_inputs) >= 2
        for input_range in variant.hidden_inputs:
            assert input_range.channels == variant.visible_input[1]
            assert 1 <= input_range.batch[0] <= input_range.batch[1] <= 16
            for low, high in (input_range.height, input_range.width):
                sizes = allowed_sizes(low, high, input_range.multiple_of)
                assert sizes[0] >= 1
                assert sizes[-1] <= 64
        assert 1 <= variant.time_limit_s <= 10
        assert 256 <= variant.memory_limit_mb <= 1024


def test_exactly_one_template_runs_on_gpu_with_cpu_fallback() -> None:
    on_gpu = [
        variant
        for template in all_templates()
        for variant in [template.generate(seed=1)]
        if variant.device is Device.GPU
    ]

    assert [variant.template for variant in on_gpu] == ["resnet-shortcut"]
    assert on_gpu[0].allow_cpu_fallback is True
    assert "runs on a GPU worker when one is online" in on_gpu[0].prompt


def test_one_or_two_templates_ask_for_a_factory() -> None:
    entries = {template.slug: template.generate(seed=3).entry for template in all_templates()}

    assert {slug for slug, entry in entries.items() if entry != "model"} == {
        "resnet-shortcut",
        "unet-skip",
    }
    assert {entry for entry in entries.values()} == {"model", "build"}
