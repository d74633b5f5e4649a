from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("catalog.urls")),
    path("", include("disclosure.urls")),
    path("", include("requests_app.urls")),
]

handler404 = "govopen.views.not_found"
handler500 = "govopen.views.server_error"
