from django.urls import path

from vzaemo.web.auctions import views

urlpatterns = [
    path("", views.auction_list, name="auction_list"),
    path("<int:pk>/", views.auction_detail, name="auction_detail"),
    path("lots/<int:pk>/", views.lot_detail, name="auction_lot_detail"),
    path("lots/<int:pk>/photos/add/", views.lot_photo_add, name="auction_lot_photo_add"),
    path("lots/<int:pk>/photos/<int:photo>/", views.lot_photo, name="auction_lot_photo"),
    path(
        "lots/<int:pk>/photos/<int:photo>/thumbnail/",
        views.lot_photo,
        {"variant": "thumbnail"},
        name="auction_lot_photo_thumbnail",
    ),
]
