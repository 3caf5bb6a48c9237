from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/report/", views.report, name="report"),
    path("tasks/<int:pk>/schedule/", views.schedule_task, name="schedule"),
    path("tasks/<int:pk>/close/", views.propose_close, name="propose"),
    path("tasks/<int:pk>/units/", views.add_unit, name="add_unit"),
    path("tasks/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("tasks/<int:pk>/send-back/", views.send_back, name="send_back"),
    path("tasks/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("tasks/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("import/", views.import_ledger, name="import"),
    path("export/<slug:code>.xlsx", views.export_ledger, name="export"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path(
        "evaluation/<int:pk>/units/<int:unit_id>/",
        views.evaluation_detail,
        name="evaluation_detail",
    ),
    path("indicators/", views.indicators, name="indicators"),
]
