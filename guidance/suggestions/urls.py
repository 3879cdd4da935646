from django.urls import path

from guidance.suggestions import views

app_name = "suggestions"

urlpatterns = [
    path("movies/<slug:slug>/suggest/", views.suggest, name="suggest"),
    path("movies/<slug:slug>/history/", views.TitleHistoryView.as_view(), name="history"),
]
