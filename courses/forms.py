"""Forms of the instructor and student pages: parsing only, the rules live in services."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from courses.models import LatePolicy
from grader.questions import get_template, template_slugs
from quizzes.bank import MAX_BANK_BYTES
from quizzes.generators import family_names, get_generator
from quizzes.models import Difficulty, Topic

DIFFICULTIES = Difficulty.choices


class CourseForm(forms.Form):
    title = forms.CharField(max_length=160)


class JoinForm(forms.Form):
    join_code = forms.CharField(max_length=12)


class TemplateForm(forms.Form):
    """Family first; then one low/high pair per ParameterSpec, bounded by the spec's bounds."""

    title = forms.CharField(max_length=160)
    topic = forms.ModelChoiceField(queryset=Topic.objects.order_by("position", "title"))
    family = forms.ChoiceField(choices=[(name, name) for name in family_names()])
    difficulty = forms.ChoiceField(choices=DIFFICULTIES, initial=Difficulty.MEDIUM)
    intro = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, family: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.family_name = family if family in family_names() else family_names()[0]
        self.fields["family"].initial = self.family_name
        self.parameter_specs = list(get_generator(self.family_name).parameters)
        for spec in self.parameter_specs:
            for end in ("low", "high"):
                self.fields[f"{spec.name}__{end}"] = forms.IntegerField(
                    required=False,
                    min_value=spec.bounds.low,
                    max_value=spec.bounds.high,
                    label=f"{spec.name} {end}",
                    # Rendered in a table without a <label>: give the input its name directly.
                    widget=forms.NumberInput(attrs={"aria-label": f"{spec.name} {end}"}),
                    help_text=f"{spec.description} Allowed {spec.bounds.low}..{spec.bounds.high}.",
                )

    def parameter_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (spec, self[f"{spec.name}__low"], self[f"{spec.name}__high"])
            for spec in self.parameter_specs
        ]

    def config(self) -> dict[str, list[int]]:
        """Only the ranges the instructor narrowed; blank pairs keep the family's defaults."""
        config = {}
        for spec in self.parameter_specs:
            low = self.cleaned_data.get(f"{spec.name}__low")
            high = self.cleaned_data.get(f"{spec.name}__high")
            if low is None and high is None:
                continue
            config[spec.name] = [
                spec.bounds.low if low is None else low,
                spec.bounds.high if high is None else high,
            ]
        return config


def _json_list(value: str, what: str) -> list[Any]:
    try:
        parsed = json.loads(value or "[]")
    except json.JSONDecodeError as error:
        raise forms.ValidationError(
            f"{what} must be JSON: {error.msg} (line {error.lineno})."
        ) from None
    if not isinstance(parsed, list):
        raise forms.ValidationError(f"{what} must be a JSON list.")
    return parsed


class CodeQuestionForm(forms.Form):
    title = forms.CharField(max_length=160)
    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), required=False)
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    starter_code = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), strip=False)
    reference_code = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), strip=False)
    entry = forms.CharField(max_length=60, initial="model")
    visible_input = forms.CharField(initial="2, 3, 32, 32", help_text="N, C, H, W")
    hidden_inputs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        initial='[{"channels": 3, "batch": [1, 8], "height": [16, 64], "width": [16, 64]}]',
        help_text="JSON list of ranges: channels, batch, height, width [, square, multiple_of]",
    )
    constraints = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="[]",
        help_text='JSON list, e.g. [{"kind": "layer_count", "layer_type": "Conv2d", "value": 2, '
        '"description": "Use exactly two Conv2d layers."}]',
    )
    device = forms.ChoiceField(choices=[("cpu", "cpu"), ("gpu", "gpu")])
    is_fix_it = forms.BooleanField(required=False, label='"Fix it" question (starter must fail)')

    def clean_visible_input(self) -> tuple[int, ...]:
        text = self.cleaned_data["visible_input"].strip("()[] ")
        try:
            return tuple(int(part) for part in text.replace("x", ",").split(",") if part.strip())
        except ValueError:
            raise forms.ValidationError("Four whole numbers, e.g. 2, 3, 32, 32.") from None

    def clean_hidden_inputs(self) -> list[Any]:
        return _json_list(self.cleaned_data["hidden_inputs"], "Hidden inputs")

    def clean_constraints(self) -> list[Any]:
        return _json_list(self.cleaned_data["constraints"], "Constraints")


def code_template_choices() -> list[tuple[str, str]]:
    return [(slug, f"{get_template(slug).title} ({slug})") for slug in template_slugs()]


class CodeTemplateForm(forms.Form):
    """A code question drawn from a built-in template: every student gets their own seed."""

    template = forms.ChoiceField(choices=code_template_choices)
    title = forms.CharField(
        max_length=160, required=False, help_text="Leave blank for the template's own title."
    )
    topic = forms.ModelChoiceField(queryset=Topic.objects.all(), required=False)


class BankUploadForm(forms.Form):
    bank = forms.FileField(label="Bank file (YAML or JSON)")

    def clean_bank(self) -> bytes:
        upload = self.cleaned_data["bank"]
        if upload.size > MAX_BANK_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BANK_BYTES // (1024 * 1024)} MiB."
            )
        return upload.read()


class AssignmentForm(forms.Form):
    title = forms.CharField(max_length=160)
    opens_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    attempts_allowed = forms.IntegerField(min_value=1, max_value=100, initial=3)
    late_policy = forms.ChoiceField(choices=LatePolicy.choices)
    late_penalty_percent = forms.IntegerField(min_value=0, max_value=100, initial=0)
    publish = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args: Any, questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"count_{question.pk}"] = forms.IntegerField(
                min_value=0,
                max_value=50,
                initial=0,
                required=False,
                label=question.title,
                widget=forms.NumberInput(attrs={"aria-label": f"Count of {question.title}"}),
            )
            self.fields[f"difficulty_{question.pk}"] = forms.ChoiceField(
                choices=DIFFICULTIES,
                initial=Difficulty.MEDIUM,
                required=False,
                widget=forms.Select(attrs={"aria-label": f"Difficulty of {question.title}"}),
            )

    def question_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(q, self[f"count_{q.pk}"], self[f"difficulty_{q.pk}"]) for q in self.questions]


class AnswerForm(forms.Form):
    answer = forms.CharField(max_length=2000)
    time_taken_ms = forms.IntegerField(required=False, min_value=0)


class CodeForm(forms.Form):
    code = forms.CharField(widget=forms.Textarea, strip=False)
    kind = forms.ChoiceField(choices=[("submit", "Submit"), ("run", "Run")], initial="submit")
