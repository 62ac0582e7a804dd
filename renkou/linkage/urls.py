"""The duplicate review queue (mounted under /quality/duplicates/)."""

from django.urls import path

from renkou.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.review, name="review"),
    path("<int:pair_id>/confirm/", views.confirm, name="confirm"),
    path("<int:pair_id>/reject/", views.reject, name="reject"),
]
