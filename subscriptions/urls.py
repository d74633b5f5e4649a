from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("subscriptions/", views.subscribe, name="subscribe"),
    path("subscriptions/sent/", views.sent, name="sent"),
    path("subscriptions/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscriptions/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
