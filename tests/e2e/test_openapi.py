"""The server against its own OpenAPI document (GET /api/v1/openapi.json) with schemathesis:
generated requests to every operation, with the admin token; writes only as dry runs
(`?dryRun=true` is added to every POST, PATCH and DELETE but POST /api/v1/reconcile, which only
triggers a pass), so no file changes. Every answer must be no server error (5xx), have a status
code, content type and body the document declares. The document itself must be what
scripts/openapi.py makes of schemas/*.schema.json."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Iterable

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from test_management_api import Managed, m  # noqa: F401  (the module's server, one per module)

REPO = Path(__file__).resolve().parents[2]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_document_is_generated_from_the_schemas():
    check = subprocess.run([sys.executable, str(REPO / "scripts" / "openapi.py"), "--check"], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.fixture(scope="module")
def served_document(m: Managed) -> Iterable[schemathesis.BaseSchema]:  # noqa: F811
    url = f"http://127.0.0.1:{m.srv.admin_port}/api/v1/openapi.json"
    assert requests.get(url, timeout=10).status_code == 401
    yield schemathesis.openapi.from_url(url, headers={"Authorization": f"Bearer {m.admin_token}"})


schema = schemathesis.pytest.from_fixture("served_document")


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_server_answers_as_its_document_says(case, m: Managed):  # noqa: F811
    if case.method in ("POST", "PATCH", "DELETE") and case.path != "/api/v1/reconcile":
        case.query = {**(case.query or {}), "dryRun": "true"}
    before = m.files()
    response = case.call(base_url=f"http://127.0.0.1:{m.srv.admin_port}",
                         headers={"Authorization": f"Bearer {m.admin_token}"}, timeout=60)
    case.validate_response(response, checks=CHECKS)
    assert m.files() == before, f"{case.method} {case.formatted_path} {case.query} changed a file"
