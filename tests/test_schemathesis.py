"""schemathesis, a third-party GraphQL fuzzer, against a live server: queries it generates from the schema the
server publishes (introspection) never get a 5xx or an uncoded error, and every answer fits the schema.

Bounded for CI: 100 valid and 100 invalid queries, each a real HTTP request to a uvicorn server on loopback;
under ``CI=true`` the hypothesis profile of conftest.py derandomizes, so every run sends the same queries.

Unknown ids are errors by design (BAD_USER_INPUT, see docs/graphql.md). The schema types ids as ``ID``, any
string, so schemathesis' ``positive_data_acceptance`` check, which expects every schema-valid query to be
executed, would flag each unknown id it makes up; that check is off, and ours requires instead that such
refusals carry a client-error code. Its ``not_a_server_error`` check is off too: it counts only some codes
(BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED...) as the client's, and so takes the progress fields' refusals
without a token (UNAUTHENTICATED, FORBIDDEN: a client's refusals by our contract) for server errors; ours
fails on a 5xx and on any error coded INTERNAL_SERVER_ERROR or not coded, which is what that check is for.

The server has progress tracking without a store folder (as ``akg serve`` without ``--store``): duty
instances answer, reads of reports are UNAUTHENTICATED and writes FORBIDDEN.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from akg import resources
from akg.accountability import Accountability
from akg.progress.service import ProgressService
from graphql_api.schema.common import ErrorCode
from graphql_api.server import create_app
from tests.graphql_support import serving

EXAMPLES = 100
CONFIG = """
[checks]
positive_data_acceptance.enabled = false
not_a_server_error.enabled = false
"""
CLIENT_CODES = {code.value for code in ErrorCode} - {ErrorCode.INTERNAL_SERVER_ERROR.value}


def every_error_has_a_client_code(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """A schemathesis check: every error names one of our codes, and none is the server's failure."""
    assert response.status_code < 500, response.text
    body = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in CLIENT_CODES, f"error without a client code: {error}"


@pytest.fixture(scope="module")
def live_schema(shipped_store):
    """The schema as the live server publishes it; its cases are sent to that server."""
    progress = ProgressService.open(shipped_store, None, resources.shapes_dir())
    with serving(create_app(Accountability.from_store(shipped_store), progress=progress)) as url:
        yield schemathesis.graphql.from_url(f"{url}/graphql", config=schemathesis.Config.from_str(CONFIG))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_fuzzer_finds_no_server_error(live_schema, mode) -> None:
    sent: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=live_schema.as_strategy(generation_mode=mode))
    def fuzz(case: schemathesis.Case) -> None:
        sent.append(case.call_and_validate(additional_checks=[every_error_has_a_client_code]).status_code)

    fuzz()
    assert len(sent) >= EXAMPLES // 2  # the queries really went out
