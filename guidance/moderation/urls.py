from django.urls import path

from guidance.moderation import views

app_name = "moderation"

urlpatterns = [
    path("reviews/<int:pk>/report/", views.report, name="report"),
]
