from django.urls import include, path

app_name = "web"

urlpatterns = [
    path("", include("vzaemo.web.home.urls")),
    # The one stop: /cabinet/, /search/, /calendar/ and /calendar.ics.
    path("", include("vzaemo.web.onestop.urls")),
    path("petitions/", include("vzaemo.web.petitions.urls")),
    path("audit/", include("vzaemo.web.audit.urls")),
    path("appeals/", include("vzaemo.web.appeals.urls")),
    path("consultations/", include("vzaemo.web.consultations.urls")),
    path("responsiveness/", include("vzaemo.web.responsiveness.urls")),
    path("documents/", include("vzaemo.web.documents.urls")),
    path("auctions/", include("vzaemo.web.auctions.urls")),
    # The pages; the stream /live/<id>/events is served by the ASGI process (vzaemo.live.sse_urls).
    path("live/", include("vzaemo.web.live.urls")),
    path("outbox/", include("vzaemo.web.outbox.urls")),
]
