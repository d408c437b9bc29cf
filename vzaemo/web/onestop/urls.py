from django.urls import path

from vzaemo.web.onestop import views

urlpatterns = [
    path("cabinet/", views.cabinet, name="cabinet"),
    path("search/", views.search, name="search"),
    path("calendar/", views.participation_calendar, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
]
