"""The urlconf of the ASGI process (``vzaemo/asgi.py``): the live auction streams and nothing else.

Include it in ``vzaemo.urls`` too, so that pages can ``{% url "live-events" auction.pk %}`` (prefixed with
``SSE_ORIGIN``); the WSGI process answers that URL with 421.
"""

from django.urls import path

from vzaemo.live import sse

urlpatterns = [
    path("live/<int:auction_id>/events", sse.auction_events, name="live-events"),
]

# Only when this is the ROOT_URLCONF (the ASGI process): error pages that need no site template.
handler400 = sse.bad_request
handler403 = sse.permission_denied
handler404 = sse.not_found
handler500 = sse.server_error
