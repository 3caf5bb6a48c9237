from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.subscriber_list, name="subscribers"),
    path("<int:pk>/", views.delivery_log, name="log"),
    path("<int:pk>/replay/", views.replay_since, name="replay_since"),
    path("deliveries/<int:pk>/replay/", views.replay_delivery, name="replay"),
]
