from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("organisations/<str:code>/", views.organisation_detail, name="organisation"),
]
