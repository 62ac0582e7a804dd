"""URL configuration."""

from django.urls import include, path

urlpatterns = [
    path("", include("renkou.web.urls")),
]
