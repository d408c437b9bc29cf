from django.urls import path

from vzaemo.web.live import views

urlpatterns = [
    path("<int:auction_id>/", views.live_observer, name="live-observer"),
    path("<int:auction_id>/bidder/<int:bid_id>/", views.live_bidder, name="live-bidder"),
    path("<int:auction_id>/bidder/<int:bid_id>/bid", views.live_bid, name="live-bid"),
    path("<int:auction_id>/protocol/", views.live_protocol, name="live-protocol"),
]
