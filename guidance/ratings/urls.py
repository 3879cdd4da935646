from django.urls import path

from guidance.ratings import views

app_name = "ratings"

urlpatterns = [
    path("", views.HowWeRateView.as_view(), name="how-we-rate"),
]
