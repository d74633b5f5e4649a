from django.urls import path

from performance import api, views

app_name = "performance"
urlpatterns = [
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics/statistics.xlsx", views.statistics_download, name="statistics_xlsx"),
    path("statistics/<str:code>/", views.statistics_page, name="organisation_statistics"),
    path("statistics/<str:code>/statistics.xlsx", views.statistics_download, name="organisation_statistics_xlsx"),
    path("api/v1/statistics/", api.StatisticsView.as_view(), name="api_statistics"),
    path("api/v1/statistics/<str:code>/", api.OrganisationStatisticsView.as_view(), name="api_organisation_statistics"),
]
