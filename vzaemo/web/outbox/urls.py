from django.urls import path

from vzaemo.web.outbox import views

urlpatterns = [
    path("", views.outbox, name="outbox"),
]
