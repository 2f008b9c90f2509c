"""A real LTI 1.3 platform (the lti1p3platform package) on loopback for Stride's LTI tests.

The platform signs launches with its own key, serves its JWKS, issues OAuth2 tokens only for a
client assertion signed with the tool's key (fetched from Stride's JWKS endpoint), and accepts
AGS scores and NRPS roster requests only with such a token. It records every score it accepts.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService

ISSUER = "https://lms.example.edu"
CLIENT_ID = "stride-client-1"
DEPLOYMENT_ID = "deployment-1"
CONTEXT_ID = "course-42"


def new_key_pair() -> tuple[str, str]:
    key = JWK.generate(kty="RSA", size=2048)
    return (
        key.export_to_pem(private_key=True, password=None).decode(),
        key.export_to_pem().decode(),
    )


class DictRequest(Request):
    def build_metadata(self, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "method": request.get("method", "GET"),
            "form_data": request.get("form_data", {}),
            "get_data": request.get("get_data", {}),
            "headers": request.get("headers", {}),
            "content_type": request.get("content_type"),
            "path": request.get("path", "/"),
            "json": request.get("json"),
        }


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: Any) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return launch_data


@dataclass
class LoopbackPlatform:
    conf: PlatformConf
    base_url: str
    scores: list[dict[str, Any]] = field(default_factory=list)
    tokens_issued: int = 0
    members: list[dict[str, Any]] = field(default_factory=list)
    fail_scores_with: int | None = None

    @property
    def registration(self) -> Registration:
        return self.conf.get_registration()

    def lineitem_url(self, item: str = "1") -> str:
        return f"{self.base_url}/lineitems/{item}"


def start_platform(
    tool_private_unused: None = None,
) -> tuple[LoopbackPlatform, ThreadingHTTPServer]:
    private_pem, public_pem = new_key_pair()
    registration = (
        Registration()
        .set_iss(ISSUER)
        .set_client_id(CLIENT_ID)
        .set_deployment_id(DEPLOYMENT_ID)
        .set_platform_private_key(private_pem)
        .set_platform_public_key(public_pem)
    )
    conf = PlatformConf(registration=registration)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    platform = LoopbackPlatform(conf=conf, base_url=f"http://127.0.0.1:{server.server_port}")
    server.platform = platform  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return platform, server


class _Ags(AssignmentsGradesService):
    def find_lineitems(self, **kwargs: Any) -> Any:
        return {"content": [], "has_next": False}

    def find_lineitem(self, line_item_id: str) -> Any:
        return {}

    def create_lineitem(self, lineitem: Any) -> Any:
        return lineitem

    def update_lineitem(self, line_item_id: str, lineitem: Any) -> Any:
        return lineitem

    def delete_lineitem(self, line_item_id: str) -> None:
        return None

    def update_score(self, line_item_id: str, score: Any) -> UpdateScoreStatus:
        self.platform.scores.append({"lineitem": line_item_id, **score})
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id: str, **kwargs: Any) -> Any:
        return {"content": [], "has_next": False}


class _Nrps(NamesRoleProvisioningService):
    def get_member_data_page(self, **kwargs: Any) -> Any:
        return {"content": [dict(m) for m in self.platform.members], "has_next": False}

    def get_context_by_id(self) -> Context:
        return Context(id=CONTEXT_ID, label="CNN101", title="CNN shapes")


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    @property
    def platform(self) -> LoopbackPlatform:
        return self.server.platform  # type: ignore[attr-defined]

    def _request(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        content_type = self.headers.get("Content-Type", "")
        parts = urlsplit(self.path)
        return {
            "method": self.command,
            "path": parts.path,
            "get_data": dict(parse_qsl(parts.query)),
            "headers": {k: v for k, v in self.headers.items()},
            "content_type": content_type,
            "form_data": dict(parse_qsl(body)) if "form" in content_type else {},
            "json": json.loads(body) if body and "json" in content_type else None,
        }

    def _send(self, code: int, payload: Any, media_type: str = "application/json") -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        request = self._request()
        if request["path"] == "/jwks":
            self._send(200, self.platform.conf.get_jwks())
        elif request["path"] == "/memberships":
            service = _Nrps(
                DictRequest(request), self.platform.conf, f"{self.platform.base_url}/memberships"
            )
            service.platform = self.platform  # type: ignore[attr-defined]
            response = service.handle_resp(service.handle_get_members)
            self._send(
                response.code, response.result or {"error": response.message}, response.media_type
            )
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802
        request = self._request()
        platform = self.platform
        if request["path"] == "/token":
            try:
                token = platform.conf.get_access_token(request["form_data"])
            except Exception as error:  # the platform answers 400 to any bad client assertion
                self._send(400, {"error": "invalid_client", "detail": str(error)})
                return
            platform.tokens_issued += 1
            self._send(200, token)
        elif request["path"].startswith("/lineitems/") and request["path"].endswith("/scores"):
            if platform.fail_scores_with:
                self._send(platform.fail_scores_with, {"error": "platform down"})
                return
            item = request["path"].split("/")[2]
            service = _Ags(
                DictRequest(request),
                platform.conf,
                f"{platform.base_url}/lineitems",
                platform.lineitem_url(item),
            )
            service.platform = platform  # type: ignore[attr-defined]
            response = service.handle_resp(service.handle_update_score, line_item_id=item)
            self._send(response.code, {"message": response.message}, response.media_type)
        else:
            self._send(404, {"error": "not found"})
