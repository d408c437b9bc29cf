from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def demo(request: HttpRequest) -> dict[str, bool]:  # noqa: ARG001 - Django's context processor signature
    """`demo_mode`: the embedded demo is running, so its pages may point at the demo outbox."""
    return {"demo_mode": bool(settings.VZAEMO_DEMO)}
