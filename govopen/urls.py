from django.contrib import admin
from django.urls import include, path

from core.display import display
from govopen.dashboard import clocks_dashboard
from govopen.siteviews import contact, site_map

urlpatterns = [
    path("admin/clocks/", admin.site.admin_view(clocks_dashboard), name="clocks"),
    path("admin/", admin.site.urls),
    path("display/", display, name="display"),
    path("sitemap/", site_map, name="site_map"),
    path("contact/", contact, name="contact"),
    path("api/", include("api.urls")),
    path("", include("integrity.urls")),
    path("", include("syndication.urls")),
    path("", include("subscriptions.urls")),
    path("", include("opendata.urls")),
    path("", include("performance.urls")),
    path("", include("catalog.urls")),
    path("", include("disclosure.urls")),
    path("", include("requests_app.urls")),
    path("", include("emergencies.urls")),
    path("", include("errorreports.urls")),
    path("", include("audits.urls")),
]

handler400 = "govopen.views.bad_request"
handler404 = "govopen.views.not_found"
handler500 = "govopen.views.server_error"
