from django.urls import path

from vzaemo.web.audit import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("verify.json", views.audit_verify, name="audit_verify"),
    path("checkpoints.json", views.audit_checkpoints, name="audit_checkpoints"),
    path("public-key.json", views.audit_public_key, name="audit_public_key"),
]
