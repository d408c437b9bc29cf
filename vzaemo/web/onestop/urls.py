from django.urls import path

from vzaemo.web.onestop import following, views

urlpatterns = [
    path("cabinet/", views.cabinet, name="cabinet"),
    path("search/", views.search, name="search"),
    path("search/feed.atom", following.search_feed, name="search_feed"),
    path("calendar/", views.participation_calendar, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("subscriptions/", following.subscriptions, name="subscriptions"),
    path("subscriptions/follow/", following.follow, name="follow"),
    path("subscriptions/<int:subscription_id>/", following.subscription_change, name="subscription_change"),
    path("notifications/", following.notifications, name="notifications"),
    path("notifications/feed/<str:token>.atom", following.notifications_feed, name="notifications_feed"),
    path("unsubscribe/<str:token>/", following.unsubscribe, name="unsubscribe"),
]
