from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    # public, no login
    path("", views.finder, name="finder"),
    path("place/<int:pk>/", views.place, name="place"),
    path("place/<int:pk>/report/", views.report, name="report"),
    path("report/<int:pk>/<str:token>/", views.report_done, name="report_done"),
    path("guide/", views.guides, name="guides"),
    path("guide/<int:region_id>/", views.guide, name="guide"),
    path("open-data/places.csv", views.export_csv, name="export_csv"),
    path("open-data/places.geojson", views.export_geojson, name="export_geojson"),
    # staff
    path("targets/", views.targets, name="targets"),
    path("targets/<slug:code>/", views.target_shortfall, name="target_shortfall"),
    path("staff/", views.staff_places, name="staff_places"),
    path("staff/places/new/", views.place_new, name="place_new"),
    path("staff/places/<int:pk>/", views.staff_place, name="staff_place"),
    path("staff/places/<int:pk>/edit/", views.place_edit, name="place_edit"),
    path("staff/places/<int:pk>/inspect/", views.inspect, name="inspect"),
    path("staff/tasks/", views.tasks, name="tasks"),
    path("staff/tasks/<int:pk>/", views.task, name="task"),
    path("staff/reports/", views.reports, name="reports"),
    path("staff/reports/<int:pk>/enforce/", views.enforce, name="enforce"),
    path("staff/import/", views.import_places, name="import"),
]
