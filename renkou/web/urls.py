"""Web pages (Chinese-first; English via the language switch)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from renkou.web import (
    dashboard_views,
    event_views,
    import_views,
    quality_views,
    report_views,
    search_views,
    views,
    village_views,
)

app_name = "web"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", dashboard_views.dashboard, name="home"),
    path("reports/", report_views.reports, name="reports"),
    path("reports/download/", report_views.report_download, name="report_download"),
    path("password/", report_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", report_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/<str:person_id>/", views.person_detail, name="person_detail"),
    path("households/<str:household_id>/", views.household_detail, name="household_detail"),
    path("search/", search_views.search, name="search"),
    path("village/", village_views.my_village, name="my_village"),
    path("persons/<str:person_id>/record/<str:kind>/", event_views.record_event,
         name="event_record"),
    path("households/<str:household_id>/birth/", event_views.record_birth, name="event_birth"),
    path("quality/findings/", quality_views.finding_list, name="finding_list"),
    path("quality/findings/<int:finding_id>/resolve/", quality_views.finding_resolve,
         name="finding_resolve"),
    path("import/", import_views.import_page, name="import"),
    path("import/<int:job_id>/", import_views.import_job, name="import_job"),
    path("import/<int:job_id>/progress/", import_views.import_job_progress_partial,
         name="import_job_progress"),
    path("import/<int:job_id>/import-errors.csv", import_views.import_job_errors,
         name="import_job_errors"),
]
