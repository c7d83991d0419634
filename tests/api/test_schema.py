"""The OpenAPI description: generated from the code, valid, complete, served to callers; and
the browsable documentation under the Content-Security-Policy."""

import re

import pytest
from django.core.management import call_command
from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

SCHEMA = "/api/v1/schema/"
DOCS = "/api/v1/docs/"


def test_the_openapi_description_validates_without_warnings(tmp_path):
    # --fail-on-warn: every view, serializer and filter is described without a guess.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yaml")
    validate_schema(SchemaGenerator().get_schema(request=None, public=True))


def test_every_endpoint_is_described():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    described = {re.sub(r"\{[^}]+\}", "{}", path) for path in schema["paths"]}
    _prefix, sub = get_resolver().namespace_dict["api"]
    routes = {
        "/api/v1/" + re.sub(r"<[^>]+>", "{}", str(pattern.pattern))
        for pattern in sub.url_patterns
        if pattern.name not in ("schema", "docs")
    }
    assert described == routes


def test_every_operation_documents_the_error_format():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "429"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (
                    method,
                    path,
                )


def test_the_schema_is_served_to_callers_only(api, world):
    assert api().get(SCHEMA).status_code == 401
    response = api("teacher").get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/api/v1/clients/{id}/activities/" in response.json()["paths"]


def test_the_schema_speaks_the_language_asked_for(api, world):
    english = api("teacher", language="en").get(SCHEMA).content.decode()
    dutch = api("teacher", language="nl").get(SCHEMA).content.decode()
    assert "Treatment session" in english
    assert "Behandelsessie" in dutch


def test_the_documentation_asks_to_log_in_first(client):
    response = client.get(DOCS)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_the_documentation_page_loads_everything_from_our_own_static_files(client, world):
    client.force_login(world.users["teacher"])
    response = client.get(DOCS)
    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.DOTALL)
    assert scripts, page
    for attributes, body in scripts:
        assert body.strip() == "", "no inline script (CSP)"
        source = re.search(r'src="([^"]+)"', attributes).group(1)
        assert source.startswith(("/static/", DOCS)), source
    assert "<style" not in page, "no inline style (CSP)"
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page
    script = client.get(DOCS + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert SCHEMA in script.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
