from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

# As the document pages (disclosure/urls.py): ASCII letters, digits and hyphens, then YYYY-NNNNN.
NUMBER = r"(?P<code>[A-Za-z0-9-]+)/(?P<number>[0-9]{4}-[0-9]{5})"

v1 = [
    path("documents/", views.DocumentList.as_view(), name="document-list"),
    path("documents/search/", views.DocumentSearch.as_view(), name="document-search"),
    re_path(rf"^documents/{NUMBER}/$", views.DocumentDetail.as_view(), name="document-detail"),
    path("organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path("organisations/<str:code>/", views.OrganisationDetail.as_view(), name="organisation-detail"),
    path("organisations/<str:code>/catalogue/", views.OrganisationCatalogue.as_view(), name="organisation-catalogue"),
    path("catalogue-items/<int:pk>/", views.CatalogueItemDetail.as_view(), name="catalogue-item-detail"),
    path(
        "catalogue-items/<int:pk>/documents/", views.CatalogueItemDocuments.as_view(), name="catalogue-item-documents"
    ),
    path("interpretations/", views.InterpretationList.as_view(), name="interpretation-list"),
    path("interpretations/<int:pk>/", views.InterpretationDetail.as_view(), name="interpretation-detail"),
    path("on-request-directory/", views.DirectoryIssueList.as_view(), name="directory-issue-list"),
    path("on-request-directory/pending/", views.DirectoryPending.as_view(), name="directory-pending"),
    path("on-request-directory/<int:pk>/", views.DirectoryIssueDetail.as_view(), name="directory-issue-detail"),
    path("annual-reports/", views.AnnualReportList.as_view(), name="annual-report-list"),
    path("annual-reports/<int:pk>/", views.AnnualReportDetail.as_view(), name="annual-report-detail"),
    path("emergencies/", views.EmergencyList.as_view(), name="emergency-list"),
    path("emergencies/<int:pk>/", views.EmergencyDetail.as_view(), name="emergency-detail"),
    path("reposts/", views.RepostList.as_view(), name="repost-list"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file of its own (?script): the site's Content-Security-Policy
    # allows no inline script. The page's inline <style> moved to api/static/api/swagger.css.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("v1/", include((v1, "v1"))),
]
