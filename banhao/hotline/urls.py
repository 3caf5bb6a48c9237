from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.intake, name="intake"),
    path("queue/", views.queue, name="queue"),
    path("unit/", views.unit_queue, name="unit_queue"),
    path("my/", views.my_tickets, name="my_tickets"),
    path("my/<int:pk>/", views.my_ticket, name="my_ticket"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/<slug:action>/", views.ticket_action, name="ticket_action"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/<slug:action>/", views.supervision_action, name="supervision_action"),
    path("letters/<int:pk>/", views.letter, name="letter"),
    path("duty/", views.duty_list, name="duty_list"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/export.<str:fmt>", views.ranking_export, name="ranking_export"),
]
