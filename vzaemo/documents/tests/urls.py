"""The URLconf of the view tests: the platform's, with the document service mounted at /documents/
(by module path only: domain apps never import the web edge)."""

from django.urls import include, path

urlpatterns = [
    path("documents/", include("vzaemo.web.documents_urls")),
    path("", include("vzaemo.urls")),
]
