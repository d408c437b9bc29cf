from django.urls import path

from vzaemo.web import audit_views

urlpatterns = [
    path("", audit_views.audit_log, name="audit_log"),
    path("verify.json", audit_views.audit_verify, name="audit_verify"),
    path("public-key.json", audit_views.audit_public_key, name="audit_public_key"),
]
