from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.for_me, name="for_me"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.policy_new, name="new"),
    path("staff/<int:pk>/", views.detail, name="detail"),
    path("staff/<int:pk>/edit/", views.policy_edit, name="edit"),
    path("staff/<int:pk>/simulate/", views.simulate, name="simulate"),
    path("staff/<int:pk>/<slug:action>/", views.transition, name="transition"),
    path("staff/grants/", views.grants, name="grants"),
    path("staff/grants/<int:pk>/<slug:action>/", views.decide, name="decide"),
    path("staff/check/", views.check, name="check"),
]
