"""factory_boy factories for the models the tests need."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from courses.services import CodeQuestionInput, instructor_access_grant
from grader.questions import get_template
from quizzes.models import QuestionTemplate, Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"student{n}")
    password = factory.django.Password("correct horse battery")


class InstructorFactory(UserFactory):
    """A user with instructor access (the Instructors group): may create courses and be made a
    co-instructor. Plain ``UserFactory`` users may not, as a signed-up account may not."""

    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"instructor{n}")

    @factory.post_generation
    def instructor_access(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            instructor_access_grant(user=self)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    title = factory.Sequence(lambda n: f"Topic {n}")
    position = factory.Sequence(lambda n: n)


class QuestionTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionTemplate
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"template-{n}")
    title = factory.Sequence(lambda n: f"Template {n}")
    topic = factory.SubFactory(TopicFactory)
    family = "conv_output"
    difficulty = "medium"
    config = factory.LazyFunction(dict)


# --- courses (issue 6) -------------------------------------------------------------------------

from courses.models import Course, Membership, Role  # noqa: E402


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    join_code = factory.Sequence(lambda n: f"JOIN{n:04d}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    course = factory.SubFactory(CourseFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.STUDENT


def written_out_code_question(*, seed: int, title: str, **fields: object) -> CodeQuestionInput:
    """A course code question written out in full from the map-shape template at ``seed``, as an
    instructor would paste it into the authoring page; ``fields`` override any part."""
    spec = get_template("map-shape").generate(seed=seed).to_dict()
    written = {
        "title": title,
        "prompt": spec["prompt"],
        "starter_code": spec["starter_code"],
        "reference_code": spec["reference_code"],
        "entry": spec["entry"],
        "visible_input": tuple(spec["visible_input"]),
        "hidden_inputs": tuple(spec["hidden_inputs"]),
        "constraints": tuple(spec["constraints"]),
    }
    return CodeQuestionInput(**{**written, **fields})  # type: ignore[arg-type]
