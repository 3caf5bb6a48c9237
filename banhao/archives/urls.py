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
    path("licences/<int:pk>/", views.licence, name="licence"),
    path("licences/<int:pk>/revoke/", views.revoke, name="revoke"),
    # Public: what a licence's QR code opens (the token is opaque and random).
    path("verify/<slug:token>/", views.verify, name="verify"),
    path("verify/<slug:token>/json/", views.verify_json, name="verify_json"),
    path("import/", views.import_archives, name="import"),
]
