from django.urls import path

from audits import views

app_name = "audits"

urlpatterns = [
    path("xxgk/reports/", views.report_list, name="reports"),
    path("xxgk/reports/<int:pk>/", views.report_detail, name="report"),
    path("xxgk/reports/<int:pk>/report.xlsx", views.report_download, name="report_xlsx"),
]
