from django.urls import path

from guidance.newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.CheckInboxView.as_view(), name="check-inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("confirmed/", views.ConfirmedView.as_view(), name="confirmed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
