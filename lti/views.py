"""LTI 1.3 endpoints: OIDC login initiation, launch, deep-link response and the tool's JWKS.

Every refusal is a 4xx page that says what went wrong; a forged, expired, replayed or
misaddressed launch never reaches a 500.
"""

from __future__ import annotations

import logging

import jwt
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from lti_tool.utils import get_launch_from_request, sync_data_from_launch
from lti_tool.views import OIDCLoginInitView, jwks
from pylti1p3.exception import LtiException, OIDCException

from core.exceptions import ApplicationError
from courses.models import Role
from lti import services

logger = logging.getLogger(__name__)

SESSION_LAUNCH_ID = "lti_launch_id"
LAUNCH_ERRORS = (LtiException, OIDCException, jwt.PyJWTError, KeyError, ValueError)

__all__ = ["jwks", "LoginView", "LaunchView", "deep_link_return"]


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    response = render(
        request, "lti/error.html", {"message": message, "status": status}, status=status
    )
    response.xframe_options_exempt = True  # the LMS shows Stride (and its errors) in an iframe
    return response


@method_decorator((csrf_exempt, xframe_options_exempt), name="dispatch")
class LoginView(OIDCLoginInitView):
    """Third-party login initiation: redirect to the platform's auth URL with state and nonce."""

    def get_oidc_response(self, request, registration_uuid, params):  # noqa: ANN001, ANN201
        try:
            return super().get_oidc_response(request, registration_uuid, params)
        except LAUNCH_ERRORS as error:
            logger.info("LTI login refused: %s", error)
            return _refuse(request, f"This LMS login could not start: {error}.", 400)


@method_decorator((csrf_exempt, xframe_options_exempt), name="dispatch")
class LaunchView(View):
    """The id_token form POST from the platform: verify, link the user, open the assignment."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        if "id_token" not in request.POST or "state" not in request.POST:
            return _refuse(request, "This is not an LTI launch: id_token or state is missing.", 400)
        try:
            lti_launch = get_launch_from_request(request)  # signature, iss, aud, exp, nonce issued
            body = lti_launch.get_launch_data()
            services.nonce_spend(issuer=body["iss"], nonce=body["nonce"])
        except LAUNCH_ERRORS as error:
            logger.info("LTI launch refused: %s", error)
            return _refuse(request, f"Stride refused this launch: {error}.", 403)
        except ApplicationError as error:
            return _refuse(request, error.message, error.status_code)
        sync_data_from_launch(lti_launch)
        if not lti_launch.deployment.is_active:
            return _refuse(
                request,
                "This LMS deployment is not activated in Stride yet. Ask a Stride administrator.",
                403,
            )
        if not (lti_launch.is_resource_launch or lti_launch.is_deep_link_launch):
            return _refuse(request, "Stride does not support this kind of LTI message.", 400)
        try:
            outcome = services.launch_accept(lti_launch=lti_launch)
        except ApplicationError as error:
            return _refuse(request, error.message, error.status_code)
        request.session.flush()
        login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_LAUNCH_ID] = lti_launch.get_launch_id()
        if lti_launch.is_deep_link_launch:
            return self._deep_link_picker(request, lti_launch, outcome)
        return HttpResponseRedirect(self._landing(outcome))

    @staticmethod
    def _landing(outcome: services.LaunchOutcome) -> str:
        if outcome.role == Role.INSTRUCTOR:
            if outcome.course is not None:
                return reverse("teach:course", args=[outcome.course.pk])
            return reverse("teach:home")
        if outcome.assignment is not None:
            return reverse("courses:assignment", args=[outcome.assignment.pk])
        return reverse("courses:home")

    @staticmethod
    def _deep_link_picker(request, lti_launch, outcome) -> HttpResponse:  # noqa: ANN001
        if outcome.role != Role.INSTRUCTOR:
            return _refuse(request, "Only instructors can add Stride assignments.", 403)
        choices = services.deep_link_choices(user=outcome.user, context=lti_launch.context)
        response = render(request, "lti/deep_link.html", {"assignments": choices})
        response.xframe_options_exempt = True
        return response


@csrf_exempt  # the session's launch id (bound to a verified launch) is the credential here
@xframe_options_exempt
def deep_link_return(request: HttpRequest) -> HttpResponse:
    """The instructor picked an assignment: answer the platform with a signed deep-link JWT."""
    if request.method != "POST":
        return _refuse(request, "Pick an assignment from the list.", 405)
    launch_id = request.session.get(SESSION_LAUNCH_ID)
    if not launch_id or not request.user.is_authenticated:
        return _refuse(request, "Your LMS session expired. Start again from the LMS.", 403)
    try:
        lti_launch = get_launch_from_request(request, launch_id)
        if not lti_launch.is_deep_link_launch:
            return _refuse(request, "This session did not start as a deep-linking request.", 400)
        assignment_id = int(request.POST.get("assignment", ""))
    except LAUNCH_ERRORS as error:
        return _refuse(request, f"Cannot answer the LMS: {error}.", 400)
    try:
        resource = services.deep_link_resource(
            user=request.user,
            context=lti_launch.context,
            assignment_id=assignment_id,
            launch_url=request.build_absolute_uri(reverse("lti:launch")),
        )
    except ApplicationError as error:
        return _refuse(request, error.message, error.status_code)
    return lti_launch.deep_link_response([resource])
