from django.urls import path

from vzaemo.web.consultations import views

urlpatterns = [
    path("", views.consultation_list, name="consultation_list"),
    path("new/", views.consultation_create, name="consultation_create"),
    path("office/", views.consultation_office, name="consultation_office"),
    path("subscriptions/", views.consultation_subscriptions, name="consultation_subscriptions"),
    path(
        "subscriptions/<int:subscription_pk>/delete/",
        views.consultation_unsubscribe,
        name="consultation_unsubscribe",
    ),
    path("<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("<int:pk>/edit/", views.consultation_edit, name="consultation_edit"),
    path("<int:pk>/open/", views.consultation_open, name="consultation_open"),
    path("<int:pk>/propose/", views.consultation_propose, name="consultation_propose"),
    path("<int:pk>/proposals/<int:proposal_pk>/hide/", views.consultation_hide, name="consultation_hide"),
    path("<int:pk>/decisions/", views.consultation_decisions, name="consultation_decisions"),
    path("<int:pk>/report/publish/", views.consultation_publish_report, name="consultation_publish_report"),
    path("<int:pk>/report/", views.consultation_report, name="consultation_report"),
]
