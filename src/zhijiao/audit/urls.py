from django.urls import path

from zhijiao.audit import views

urlpatterns = [
    path("", views.audit_log, name="audit-log"),
    path("chain/", views.audit_chain, name="audit-chain"),
    path("export.csv", views.audit_export_csv, name="audit-export-csv"),
    path("export.xlsx", views.audit_export_xlsx, name="audit-export-xlsx"),
]
