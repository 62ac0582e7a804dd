"""Web pages (Chinese-first; English via the language switch)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from renkou.web import views

app_name = "web"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", views.home, name="home"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/<str:person_id>/", views.person_detail, name="person_detail"),
    path("households/<str:household_id>/", views.household_detail, name="household_detail"),
]
