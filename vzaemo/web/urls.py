from django.urls import include, path

from vzaemo.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("petitions/", include("vzaemo.web.petitions_urls")),
    path("audit/", include("vzaemo.web.audit_urls")),
    path("appeals/", include("vzaemo.web.appeals_urls")),
    path("consultations/", include("vzaemo.web.consultations_urls")),
    path("responsiveness/", include("vzaemo.web.responsiveness_urls")),
    path("documents/", include("vzaemo.web.documents_urls")),
    path("auctions/", include("vzaemo.web.auctions_urls")),
    # The pages; the stream /live/<id>/events is served by the ASGI process (vzaemo.live.sse_urls).
    path("live/", include("vzaemo.web.live_urls")),
]
