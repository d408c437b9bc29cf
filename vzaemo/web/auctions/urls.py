from django.urls import path

from vzaemo.web.auctions import views

urlpatterns = [
    path("", views.auction_list, name="auction_list"),
    path("<int:pk>/", views.auction_detail, name="auction_detail"),
    path("lots/<int:pk>/", views.lot_detail, name="auction_lot_detail"),
]
