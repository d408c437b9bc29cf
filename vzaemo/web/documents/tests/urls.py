"""The URLconf of the view tests: the platform's, with the document service mounted at /documents/"""

from django.urls import include, path

urlpatterns = [
    path("documents/", include("vzaemo.web.documents.urls")),
    path("", include("vzaemo.urls")),
]
