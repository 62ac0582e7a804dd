"""URL configuration."""

from django.urls import include, path

urlpatterns = [
    path("quality/duplicates/", include("renkou.linkage.urls")),
    path("", include("renkou.web.urls")),
]
