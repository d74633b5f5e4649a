from django.urls import path
from django.views.decorators.http import require_safe

from syndication import feeds, views

app_name = "syndication"

urlpatterns = [
    path("feeds/documents/", require_safe(feeds.DocumentFeed()), name="documents"),
    path("feeds/organisations/<str:code>/", require_safe(feeds.OrganisationFeed()), name="organisation"),
    path("feeds/catalog/<int:pk>/", require_safe(feeds.CatalogueItemFeed()), name="node"),
    path("feeds/topics/<int:pk>/", require_safe(feeds.TopicFeed()), name="topic"),
    path("feeds/interpretations/", require_safe(feeds.InterpretationFeed()), name="interpretations"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
]
