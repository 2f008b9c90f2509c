"""The OpenAPI schema and the docs pages, which must work with no internet."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_and_documents_problem_errors(api):
    schema = api.get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    operation = schema["paths"]["/api/v1/variants/{variant_id}/attempts/"]["post"]
    assert operation["responses"]["default"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    assert schema["components"]["securitySchemes"]["bearerKey"]["scheme"] == "bearer"


@pytest.mark.parametrize("page", ["/api/docs/"])
def test_the_docs_pages_load_their_assets_from_stride_not_a_cdn(api, page):
    response = api.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []
    assert any("drf_spectacular_sidecar" in s for s in sources)
