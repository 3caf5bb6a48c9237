from django.urls import path

from . import views

app_name = "archives"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("", views.search, name="search"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("enterprises/<int:pk>/", views.enterprise, name="enterprise"),
    path("<str:kind>/<int:pk>/purpose/", views.purpose, name="purpose"),
    path("licences/<int:pk>/renew/", views.renew, name="renew"),
    path("import/", views.import_archives, name="import"),
]
