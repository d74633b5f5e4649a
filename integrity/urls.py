from django.urls import path

from integrity import api, feeds, views

app_name = "integrity"
urlpatterns = [
    path("integrity/", views.entry_list, name="list"),
    path("integrity/export.jsonl", views.export, name="export"),
    path("integrity/<int:seq>/", views.entry_detail, name="entry"),
    path("integrity/<int:seq>/content.json", views.entry_content, name="content"),
    path("feeds/integrity/", feeds.DailyHeadFeed(), name="feed"),
    # integrity.urls is included at the site root, so the API's paths are written in full here.
    path("api/v1/integrity/", api.EntryList.as_view(), name="api_list"),
    path("api/v1/integrity/head/", api.EntryHead.as_view(), name="api_head"),
    path("api/v1/integrity/<int:seq>/", api.EntryDetail.as_view(), name="api_entry"),
]
