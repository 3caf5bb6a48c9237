from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("my-data/", views.my_data_views, name="my_data_views"),
]
