"""Every production URL plus the naive feed (bench/feed only; see bench/feed/settings.py)."""

from django.urls import path

from bench.feed.naive import api as naive_api
from vzaemo.urls import urlpatterns as production

urlpatterns = [path("bench/feed/naive/", naive_api.urls), *production]
