from django.urls import path

from vzaemo.web.responsiveness import views

urlpatterns = [
    path("", views.index_page, name="responsiveness_index"),
    path("index.json", views.index_json, name="responsiveness_json"),
    path("index.csv", views.index_csv, name="responsiveness_csv"),
    path("<slug:slug>/", views.authority_page, name="responsiveness_authority"),
]
