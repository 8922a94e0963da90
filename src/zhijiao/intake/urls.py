"""数据导入 pages at /intake/. URL names start with ``import`` or ``case``: the navigation marks its item by them."""

from django.urls import path

from zhijiao.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.upload, name="import_upload"),
    path("templates/<str:kind>.xlsx", views.template_download, name="import_template"),
    path("batches/", views.batch_list, name="import_batches"),
    path("batches/<int:batch_id>/", views.batch_detail, name="import_batch"),
    path("batches/<int:batch_id>/progress/", views.batch_progress, name="import_progress"),
    path("batches/<int:batch_id>/report.xlsx", views.report_download, name="import_report"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:case_id>/decide/", views.case_decide, name="case_decide"),
]
