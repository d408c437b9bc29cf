"""Print the broker API's OpenAPI document, deterministically (CI compares it with docs/openapi.json)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from vzaemo.broker_api.api import api

PATH_PREFIX = "/api/broker/v1/"


def openapi_json() -> str:
    schema = api.get_openapi_schema(path_prefix=PATH_PREFIX)
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the broker API OpenAPI document (sorted keys, indent 2)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(openapi_json(), ending="")
