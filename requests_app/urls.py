from django.urls import path

from requests_app import views

app_name = "requests"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.apply_done, name="apply_done"),
    path("apply/status/", views.status_lookup, name="status"),
    path("apply/status/leave/", views.status_leave, name="status_leave"),
    path("apply/status/<str:code>/", views.status_case, name="status_case"),
    path("apply/status/<str:code>/correction/", views.status_correction, name="status_correction"),
    path("apply/status/<str:code>/withdraw/", views.status_withdraw, name="status_withdraw"),
    path("apply/status/<str:code>/files/<int:file_id>/", views.status_file, name="status_file"),
    path("apply/status/<str:code>/letter/", views.status_letter, name="status_letter"),
    path("apply/status/<str:code>/letter.pdf", views.status_letter_pdf, name="status_letter_pdf"),
]
