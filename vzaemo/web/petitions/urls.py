from django.urls import path

from vzaemo.web.petitions import views

urlpatterns = [
    path("", views.petition_list, name="petition_list"),
    path("new/", views.petition_create, name="petition_create"),
    path("my/", views.cabinet, name="petition_cabinet"),
    path("inbox/", views.inbox, name="petition_inbox"),
    path("<int:pk>/", views.petition_detail, name="petition_detail"),
    path("<int:pk>/edit/", views.petition_edit, name="petition_edit"),
    path("<int:pk>/count/", views.petition_count, name="petition_count"),
    path("<int:pk>/signers/", views.petition_signers, name="petition_signers"),
    path("<int:pk>/submit/", views.petition_submit, name="petition_submit"),
    path("<int:pk>/sign/", views.petition_sign, name="petition_sign"),
    path("<int:pk>/publish/", views.petition_publish, name="petition_publish"),
    path("<int:pk>/reject/", views.petition_reject, name="petition_reject"),
    path("<int:pk>/start/", views.petition_start_consideration, name="petition_start"),
    path("<int:pk>/answer/", views.petition_answer, name="petition_answer"),
]
