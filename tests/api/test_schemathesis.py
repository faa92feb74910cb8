"""schemathesis against /api/v1/openapi.json, in-process, as a supervisor and as a handler.

Every operation of the published document gets a bounded number of generated requests, valid ones
(positive) and invalid ones (negative), with a fixed derandomised seed; each answer must not be a
server error and must agree with the document: a documented status code, its content type, a body
matching its schema. Path numbers point at real items in several states, and half of the action
bodies carry the item's current version, so that actions really happen and their 200 answers are
checked too. Failures are collected (no shrinking) and listed together.
"""

import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from portal.auth.models import User
from portal.auth.tokens import create_token
from portal.items.models import Attachment, Item
from portal.kernel.db import database
from tests.items.conftest import act, attach, register

EXAMPLES = 4  # per operation, mode and role: about 500 requests per role
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


def _items(app):
    """Items in the states the roles act on; returns their numbers."""
    with app.test_request_context(), database.connection_context():
        supervisor, handler = (User.get(User.username == name) for name in ("supervisor", "handler"))
        draft = register(supervisor, title="草稿事项")
        dispatched = act(supervisor, register(supervisor, title="已交办事项"), "dispatch")
        working = act(handler, act(supervisor, register(supervisor, title="办理中事项"), "dispatch"), "accept")
        attach(handler, working)
        closing = act(handler, act(supervisor, register(supervisor, title="申请办结事项"), "dispatch"), "accept")
        attach(handler, closing)
        closing = act(handler, closing, "request_closure", comment="已完成")
        return [draft.number, dispatched.number, working.number, closing.number]


def _token(app, username):
    with app.app_context(), database.connection_context():
        return create_token(User.get(User.username == username), "schemathesis")[1]


def _aim(case, numbers):
    """Point the case at a real item (most of the time), give half the actions the current version, half
    the registrations a real department, and downloads a real attachment of the item."""
    params, body = case.path_parameters or {}, case.body
    item = None
    if "number" in params:
        pick = _hash(params["number"]) % (len(numbers) + 1)
        if pick < len(numbers):
            params["number"] = numbers[pick]
            item = Item.get(Item.number == numbers[pick])
    if item is not None and isinstance(body, dict) and _hash(body) % 2 == 0:
        if "/actions/" in case.operation.path:
            body["version"] = item.version
        elif case.operation.path.endswith("/children"):
            body.update(lead_department="property", deadline=item.deadline.isoformat())
            for key in ("co_departments", "leader", "supervisor"):
                body.pop(key, None)
    if case.operation.path == "/api/v1/items" and isinstance(body, dict) and _hash(body) % 2 == 0:
        body["lead_department"] = "property"
        for key in ("co_departments", "leader", "supervisor", "deadline"):
            body.pop(key, None)
    if "attachment_id" in params and item is not None:
        ids = [a.id for a in Attachment.select().where(Attachment.item == item.id)]
        if ids:
            params["attachment_id"] = ids[_hash(params["attachment_id"]) % len(ids)]


def _hash(value):
    return zlib.crc32(repr(value).encode())


def _run(app, username, numbers):
    # Schemathesis asks for gzip like any HTTP client, but its WSGI transport hands the body over as the app
    # sent it, undecoded: ask for none (compression has its own tests, tests/core/test_page_weight.py).
    headers = {"Authorization": f"Bearer {_token(app, username)}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    failures, calls = [], {"n": 0}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25, "the document lost operations"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                with app.app_context(), database.connection_context():
                    _aim(case, numbers)
                response = case.call(headers=headers)
                calls["n"] += 1
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # every failure is collected, none shrunk
                    failures.append(f"{username} {mode.value} {operation.label}: {type(exc).__name__}: "
                                    f"{str(exc)[:600]}\n    {case.as_curl_command(headers=headers)[:400]}")

            check()
    return failures, calls["n"]


@pytest.mark.parametrize(("database_url", "username"), [("sqlite", "supervisor"), ("postgresql", "handler")],
                         indirect=["database_url"])
def test_the_api_keeps_its_published_contract(app, demo, tmp_path, username):
    app.config["PORTAL"]["uploads"]["folder"] = str(tmp_path / "uploads")
    numbers = _items(app)
    failures, calls = _run(app, username, numbers)
    assert calls >= 200
    assert failures == [], "\n".join(failures)
