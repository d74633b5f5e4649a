from django.urls import path

from errorreports import views

app_name = "errorreports"

urlpatterns = [
    path("jiucuo/", views.report, name="report"),
    path("jiucuo/done/", views.done, name="done"),
    path("jiucuo/status/", views.status, name="status"),
    path("jiucuo/answers/", views.answers, name="answers"),
]
