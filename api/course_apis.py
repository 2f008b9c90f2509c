"""Courses, enrolments, assignments and the gradebook (issue 6's services and selectors)."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import NotFoundError
from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import Course, Role


class CourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    role = serializers.CharField()
    join_code = serializers.CharField(allow_null=True, help_text="Instructors only.")


class CourseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)


class EnrolmentCreateSerializer(serializers.Serializer):
    join_code = serializers.CharField(max_length=12)


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    joined_at = serializers.DateTimeField()


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    attempts_allowed = serializers.IntegerField()
    late_policy = serializers.CharField()
    is_published = serializers.BooleanField()


class GradebookRowSerializer(serializers.Serializer):
    username = serializers.CharField()
    scores = serializers.DictField(child=serializers.FloatField())
    total = serializers.FloatField()


class GradebookSerializer(serializers.Serializer):
    assignments = AssignmentSerializer(many=True)
    rows = GradebookRowSerializer(many=True)


def _course_payload(course: Course, role: str) -> dict:
    return {
        "id": course.pk,
        "title": course.title,
        "role": role,
        "join_code": course.join_code if role == Role.INSTRUCTOR else None,
    }


def _assignment_payload(assignment) -> dict:  # noqa: ANN001
    return {
        "id": assignment.pk,
        "title": assignment.title,
        "opens_at": assignment.opens_at,
        "closes_at": assignment.closes_at,
        "attempts_allowed": assignment.attempts_allowed,
        "late_policy": assignment.late_policy,
        "is_published": assignment.is_published,
    }


def _member_course(request: Request, course_id: int) -> tuple[Course, str]:
    course = Course.objects.filter(pk=course_id).first()
    role = course_selectors.role_in(user=request.user, course=course) if course else None
    if course is None or role is None:
        raise NotFoundError("No such course.")
    return course, role


class CourseListApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=["courses"], responses={200: CourseSerializer(many=True)})
    def get(self, request: Request) -> Response:
        payload = [
            _course_payload(course, role)
            for role in (Role.INSTRUCTOR, Role.STUDENT)
            for course in course_selectors.courses_for_user(user=request.user, role=role)
        ]
        return Response(payload)

    @extend_schema(
        tags=["courses"],
        request=CourseCreateSerializer,
        responses={201: CourseSerializer},
        description=(
            "Needs instructor access (granted by an administrator: `manage.py grant_instructor`);"
            " without it, 403 and nothing is created."
        ),
    )
    def post(self, request: Request) -> Response:
        course_selectors.require_course_creator(user=request.user)  # 403 before reading input
        serializer = CourseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = course_services.course_create(
            user=request.user, title=serializer.validated_data["title"]
        )
        return Response(_course_payload(course, Role.INSTRUCTOR), status=status.HTTP_201_CREATED)


class CourseDetailApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=["courses"], responses={200: CourseSerializer})
    def get(self, request: Request, course_id: int) -> Response:
        course, role = _member_course(request, course_id)
        return Response(_course_payload(course, role))


class EnrolmentCreateApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        tags=["courses"],
        request=EnrolmentCreateSerializer,
        responses={201: CourseSerializer},
        summary="Enrol in a course with its join code",
    )
    def post(self, request: Request) -> Response:
        serializer = EnrolmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = course_services.course_join(
            user=request.user, join_code=serializer.validated_data["join_code"]
        )
        return Response(
            _course_payload(membership.course, membership.role), status=status.HTTP_201_CREATED
        )


class CourseRosterApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=["courses"], responses={200: MemberSerializer(many=True)})
    def get(self, request: Request, course_id: int) -> Response:
        course = course_selectors.course_for_instructor(user=request.user, course_id=course_id)
        return Response(
            [
                {"username": m.user.username, "role": m.role, "joined_at": m.joined_at}
                for m in course_selectors.roster(course=course)
            ]
        )


class CourseAssignmentsApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=["courses"], responses={200: AssignmentSerializer(many=True)})
    def get(self, request: Request, course_id: int) -> Response:
        course, role = _member_course(request, course_id)
        assignments = course_selectors.assignments_for_course(course=course)
        if role != Role.INSTRUCTOR:
            assignments = assignments.filter(Q(is_published=True))
        return Response([_assignment_payload(a) for a in assignments])


class CourseGradebookApi(APIView):
    permission_classes = (IsAuthenticated,)

    @extend_schema(tags=["courses"], responses={200: GradebookSerializer})
    def get(self, request: Request, course_id: int) -> Response:
        course = course_selectors.course_for_instructor(user=request.user, course_id=course_id)
        book = course_selectors.gradebook(course=course)
        return Response(
            {
                "assignments": [_assignment_payload(a) for a in book.assignments],
                "rows": [
                    {
                        "username": row.username,
                        "scores": {str(k): v for k, v in row.scores.items()},
                        "total": row.total,
                    }
                    for row in book.rows
                ],
            }
        )
