"""The document service over HTTP, mounted at /documents/ (vzaemo.documents.links.PATH_PREFIX)."""

from django.urls import path

from vzaemo.web.documents import views

urlpatterns = [
    path("<uuid:document_id>", views.document_permanent, name="document_permanent"),
    path("<uuid:document_id>/download", views.document_download, name="document_download"),
    path("<uuid:document_id>/upload", views.document_upload, name="document_upload"),
]
