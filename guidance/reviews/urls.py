from django.urls import path

from guidance.reviews import views

app_name = "reviews"

urlpatterns = [
    path("movies/<slug:slug>/reviews/", views.ReviewListView.as_view(), name="list"),
    path("movies/<slug:slug>/reviews/write/", views.ReviewWriteView.as_view(), name="write"),
    path("reviews/<int:pk>/delete/", views.ReviewDeleteView.as_view(), name="delete"),
    path("reviews/<int:pk>/helpful/", views.mark_helpful, name="helpful"),
]
