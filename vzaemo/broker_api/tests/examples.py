"""The tutorial's request/response examples (docs/broker-api.md), made by the tests and checked like the OpenAPI.

A test records exchanges under a name; `Examples.check()` renders each name as HTTP blocks and compares them
with the text between `<!-- example: NAME -->` and `<!-- /example -->` in docs/broker-api.md. A difference
fails the test; `UPDATE_API_EXAMPLES=1` rewrites those blocks instead (run the recording tests with
`-p no:xdist` then, so that two workers do not write the file at once):

    UPDATE_API_EXAMPLES=1 uv run pytest -p no:xdist vzaemo/broker_api/tests/test_scenario.py vzaemo/broker_api/tests/test_examples.py

Secrets (keys, owner tokens, transfer keys, document ids and signatures) become placeholders, and each rule
citation is abridged to `key = value unit`.
"""

from __future__ import annotations

import datetime as dt
import http
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Model

ROOT = Path(__file__).resolve().parents[3]
TUTORIAL = ROOT / "docs" / "broker-api.md"
UPDATE = os.environ.get("UPDATE_API_EXAMPLES") == "1"
BLOCK = re.compile(r"(<!-- example: (?P<name>[a-z0-9-]+) -->\n)(?P<body>.*?)(<!-- /example -->)", re.S)
SHOWN_RESPONSE_HEADERS = ("Location", "Retry-After", "WWW-Authenticate")


def reset_sequences(*models: type[Model]) -> None:
    """Ids from 1, so that the examples do not depend on the tests that ran before (tables must be empty)."""
    for model in models:
        assert not model._default_manager.exists(), f"{model.__name__} is not empty"
    tables = [{"table": model._meta.db_table, "column": "id"} for model in models]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), tables):
            cursor.execute(sql)


def _abridge_rules(value: Any) -> Any:
    if isinstance(value, list):
        return [_abridge_rules(item) for item in value]
    if isinstance(value, dict):
        if {"key", "value", "unit", "source"} <= set(value):
            return f"{value['key']} = {value['value']} {value['unit']}"
        # Sorted: a JSON column keeps its keys in the order written on SQLite, but PostgreSQL's jsonb reorders them.
        return {key: _abridge_rules(value[key]) for key in sorted(value)}
    return value


def _abridge(value: Any) -> Any:
    if isinstance(value, list):
        return [_abridge(item) for item in value]
    if isinstance(value, dict):
        return {key: _abridge_rules(item) if key == "rulesApplied" else _abridge(item) for key, item in value.items()}
    return value


def _json(value: Any) -> str:
    return json.dumps(_abridge(value), indent=2, ensure_ascii=False)


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int
    response_headers: dict[str, str]
    response_body: Any


@dataclass
class Examples:
    exchanges: dict[str, list[Exchange]] = field(default_factory=dict)
    placeholders: dict[str, str] = field(default_factory=dict)

    def hide(self, secret: str, placeholder: str) -> None:
        self.placeholders[secret] = placeholder

    def add(self, name: str, exchange: Exchange) -> None:
        self.exchanges.setdefault(name, []).append(exchange)

    def _redact(self, text: str) -> str:
        for secret in sorted(self.placeholders, key=len, reverse=True):
            text = text.replace(secret, self.placeholders[secret])
        return text

    def render(self, name: str) -> str:
        parts = []
        for ex in self.exchanges[name]:
            request = [f"{ex.method} {ex.path} HTTP/1.1", *(f"{k}: {v}" for k, v in ex.headers.items())]
            if ex.body is not None:
                request += ["", ex.body if isinstance(ex.body, str) else _json(ex.body)]
            response = [f"HTTP/1.1 {ex.status} {http.HTTPStatus(ex.status).phrase}"]
            response += [f"{k}: {v}" for k, v in ex.response_headers.items()]
            if ex.response_body is not None:
                response += ["", _json(ex.response_body)]
            parts.append("```http\n" + "\n".join(request) + "\n```\n```http\n" + "\n".join(response) + "\n```\n")
        return self._redact("".join(parts))

    def check(self) -> None:
        """Compare (or with UPDATE_API_EXAMPLES=1 rewrite) this test's blocks in the tutorial."""
        text = TUTORIAL.read_text()
        marked = {match["name"] for match in BLOCK.finditer(text)}
        missing = sorted(set(self.exchanges) - marked)
        assert not missing, f"docs/broker-api.md has no <!-- example: NAME --> … <!-- /example --> for {missing}"

        def fill(match: re.Match[str]) -> str:
            if match["name"] not in self.exchanges:
                return match.group(0)
            return match.group(1) + self.render(match["name"]) + match.group(4)

        updated = BLOCK.sub(fill, text)
        if updated == text:
            return
        if UPDATE:
            TUTORIAL.write_text(updated)
            return
        stale = sorted(
            m["name"]
            for m in BLOCK.finditer(text)
            if m["name"] in self.exchanges and m["body"] != self.render(m["name"])
        )
        raise AssertionError(
            f"the tutorial's examples {stale} differ from what the API answers now: review the change, then run "
            "UPDATE_API_EXAMPLES=1 uv run pytest -p no:xdist vzaemo/broker_api/tests/test_scenario.py vzaemo/broker_api/tests/test_examples.py (and commit docs/broker-api.md)"
        )


def response_headers(response: Any) -> dict[str, str]:
    return {name: response[name] for name in SHOWN_RESPONSE_HEADERS if response.has_header(name)}


def response_json(response: Any) -> Any:
    return json.loads(response.content) if response.content else None


@dataclass
class Speaker:
    """Someone who talks to the API (a broker, the bank feed, the engine, the public); each call moves the
    travelled clock a minute on and may be recorded as an example."""

    api: Any  # conftest.Api
    examples: Examples
    traveller: Any
    key_placeholder: str | None = None

    def __post_init__(self) -> None:
        if self.api.secret and self.key_placeholder:
            self.examples.hide(self.api.secret, self.key_placeholder)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        expect: int = 200,
        example: str | None = None,
        minutes: int = 1,
    ) -> Any:
        from vzaemo.broker_api.tests.conftest import BASE

        self.traveller.shift(dt.timedelta(minutes=minutes))
        if method == "GET":
            response = self.api.get(path, token=token)
        else:
            response = getattr(self.api, method.lower())(path, body, token=token)
        assert response.status_code == expect, (method, path, response.status_code, response.content.decode())
        if example:
            headers = self.api.headers(token)
            if body is not None:
                headers["Content-Type"] = "application/json"
            self.examples.add(
                example,
                Exchange(
                    method=method,
                    path=BASE + path,
                    headers=headers,
                    body=body,
                    status=response.status_code,
                    response_headers=response_headers(response),
                    response_body=response_json(response),
                ),
            )
        return response_json(response)
