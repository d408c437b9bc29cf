from django.urls import path

from vzaemo.web.home import views

urlpatterns = [
    path("", views.home, name="home"),
]
