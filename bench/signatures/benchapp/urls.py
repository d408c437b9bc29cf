from django.urls import path

from bench.signatures.benchapp import views

app_name = "bench_signatures"

urlpatterns = [
    path("bare-sign/<int:petition_id>/", views.bare_sign, name="bare_sign"),
    path("naive-sign/<int:petition_id>/", views.naive_sign, name="naive_sign"),
]
