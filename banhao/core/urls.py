from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("prefs/large-text/", views.toggle_large_text, name="large_text"),
    path("prefs/language/", views.set_language, name="set_language"),
]
