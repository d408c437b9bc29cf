"""The site's URLs plus the auction pages in the `web` namespace, until vzaemo/web/urls.py includes them."""

from typing import cast

from django.urls import URLPattern, URLResolver, include, path

from vzaemo.web import urls as web_urls

Patterns = list[URLPattern | URLResolver]

web_patterns: Patterns = [
    *cast(Patterns, web_urls.urlpatterns),
    path("auctions/", include("vzaemo.web.auctions.urls")),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("", include((web_patterns, "web"))),
]
