from django.urls import path, re_path

from opendata import api, views

app_name = "opendata"

urlpatterns = [
    path("open-data/", views.index, name="index"),
    # Only names the export writes (documents.csv, annual-report-cells.jsonl): never a path.
    re_path(r"^open-data/files/(?P<name>[a-z0-9-]{1,40}\.(?:csv|jsonl))$", views.download, name="file"),
    path("api/v1/open-data/", api.OpenDataListing.as_view(), name="api_listing"),
]
