from django.urls import path

from emergencies import views

app_name = "emergencies"

urlpatterns = [
    path("emergencies/", views.emergency_list, name="list"),
    path("emergencies/<int:pk>/", views.emergency_detail, name="detail"),
]
