from django.urls import path

from vzaemo.web.appeals import views

urlpatterns = [
    path("", views.appeal_index, name="appeal_index"),
    path("new/", views.appeal_create, name="appeal_create"),
    path("my/", views.appeal_cabinet, name="appeal_cabinet"),
    path("inbox/", views.appeal_inbox, name="appeal_inbox"),
    path("statistics/", views.appeal_statistics, name="appeal_statistics"),
    path("<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("<int:pk>/photo/", views.appeal_photo, name="appeal_photo"),
    path("<int:pk>/register/", views.appeal_register, name="appeal_register"),
    path("<int:pk>/forward/", views.appeal_forward, name="appeal_forward"),
    path("<int:pk>/start/", views.appeal_start, name="appeal_start"),
    path("<int:pk>/extend/", views.appeal_extend, name="appeal_extend"),
    path("<int:pk>/answer/", views.appeal_answer, name="appeal_answer"),
    path("<int:pk>/refuse/", views.appeal_refuse, name="appeal_refuse"),
    path("<int:pk>/unsatisfactory/", views.appeal_unsatisfactory, name="appeal_unsatisfactory"),
    path("<int:pk>/complain/", views.appeal_complain, name="appeal_complain"),
]
