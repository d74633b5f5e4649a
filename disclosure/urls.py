from django.urls import path, re_path

from disclosure import views

app_name = "disclosure"

# ASCII digits only: Python's \d also matches ٢ or ２, which no link of ours produces (core/params.py, rule 2).
NUMBER = r"(?P<code>[A-Za-z0-9-]+)/(?P<number>[0-9]{4}-[0-9]{5})"

urlpatterns = [
    path("", views.home, name="home"),
    path("xxgk/", views.column, name="column"),
    path("xxgk/rules/", views.rules, name="rules"),
    path("xxgk/statutory/", views.statutory, name="statutory"),
    path("xxgk/ysqgk/", views.on_request_list, name="on_request"),
    path("xxgk/ysqgk/<int:pk>/", views.on_request_issue, name="on_request_issue"),
    path("xxgk/<str:code>/guide/", views.guide, name="guide"),
    path("xxgk/<str:code>/catalogue/", views.catalogue, name="catalogue"),
    path("catalog/<int:pk>/", views.node_detail, name="node"),
    re_path(rf"^documents/{NUMBER}/$", views.document_detail, name="document"),
    re_path(rf"^documents/{NUMBER}/qr\.svg$", views.document_qr, name="document_qr"),
    re_path(rf"^documents/{NUMBER}/files/(?P<attachment_id>[0-9]+)/$", views.attachment_download, name="attachment"),
    path("search/", views.search, name="search"),
    path("interpretations/", views.interpretation_list, name="interpretations"),
    path("interpretations/<int:pk>/", views.interpretation_detail, name="interpretation"),
    path("interpretations/<int:pk>/media/<int:media_id>/", views.interpretation_media, name="interpretation_media"),
]
