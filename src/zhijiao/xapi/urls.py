from django.urls import path

from zhijiao.xapi import views_pages as views

# 我的学习记录 (learners, guardians, teachers), mounted at /records/
records_urlpatterns = [
    path("", views.my_records, name="records"),
    path("export/", views.my_export, name="records-export"),
    path("student/<int:student_id>/", views.student_records, name="records-student"),
    path("student/<int:student_id>/export/", views.student_export, name="records-student-export"),
    path("class/<int:class_id>/", views.class_records, name="records-class"),
]

# 学习记录库 for administrators, mounted at /lrs/
urlpatterns = [
    path("", views.lrs_home, name="lrs"),
    path("statements/", views.lrs_statements, name="lrs-statements"),
    path("apps/<int:app_id>/credentials/", views.lrs_credential_issue, name="lrs-credential-issue"),
    path("apps/<int:app_id>/retention/", views.lrs_retention, name="lrs-retention"),
    path("credentials/<int:credential_id>/revoke/", views.lrs_credential_revoke, name="lrs-credential-revoke"),
    path("learners/<int:account_id>/export/", views.lrs_learner_export, name="lrs-learner-export"),
    path("learners/<int:account_id>/erase/", views.lrs_learner_erase, name="lrs-learner-erase"),
]
