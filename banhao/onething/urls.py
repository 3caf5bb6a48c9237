from django.urls import path

from . import views

app_name = "onething"
urlpatterns = [
    path("", views.bundle_list, name="bundles"),
    path("<int:number>/", views.bundle_detail, name="bundle"),
    path("<int:number>/bpmn/", views.bundle_bpmn, name="bpmn"),
    path("<int:number>/start/", views.start, name="start"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/questions/", views.questions, name="questions"),
    path("applications/<int:pk>/form/", views.form, name="form"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "applications/<int:pk>/corrections/<int:correction_id>/",
        views.correction,
        name="correction",
    ),
    path("applications/<int:pk>/materials/<slug:code>/", views.material, name="material"),
    path("queue/", views.queue, name="queue"),
    path("tasks/<int:pk>/", views.task, name="task"),
]
