from django.urls import path

from movies import views

app_name = "movies"

urlpatterns = [
    path("", views.BrowseView.as_view(), name="browse"),
    path("<slug:slug>/", views.TitleDetailView.as_view(), name="detail"),
]
