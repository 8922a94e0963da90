from django.urls import path

from zhijiao.learning import views, views_homework, views_import, views_papers, views_reports

urlpatterns = [
    path("items/", views.item_list, name="learning-item-list"),
    path("items/new/", views.item_new, name="learning-item-new"),
    path("items/review/", views.review_queue, name="learning-item-review"),
    path("items/import/", views_import.item_import, name="learning-item-import"),
    path("items/import/template.xlsx", views_import.import_template, name="learning-item-template"),
    path("items/export/", views_import.item_export, name="learning-item-export"),
    path("items/images/<int:image_id>/", views.item_image, name="learning-item-image"),
    path("items/<int:item_id>/images/", views.item_image_upload, name="learning-item-image-upload"),
    path("items/<int:item_id>/", views.item_detail, name="learning-item-detail"),
    path("items/<int:item_id>/edit/", views.item_edit, name="learning-item-edit"),
    path("items/<int:item_id>/submit/", views.item_submit, name="learning-item-submit"),
    path("items/<int:item_id>/delete/", views.item_delete, name="learning-item-delete"),
    path("items/<int:item_id>/review/", views.item_review, name="learning-item-review-one"),
]

urlpatterns += [
    path("papers/", views_papers.paper_list, name="learning-paper-list"),
    path("papers/new/", views_papers.paper_new, name="learning-paper-new"),
    path("papers/auto/", views_papers.paper_auto, name="learning-paper-auto"),
    path("papers/<int:paper_id>/", views_papers.paper_edit, name="learning-paper-edit"),
    path("papers/<int:paper_id>/change/", views_papers.paper_change, name="learning-paper-change"),
    path("papers/<int:paper_id>/preview/", views_papers.paper_preview, name="learning-paper-preview"),
    path("papers/<int:paper_id>/key/", views_papers.paper_key, name="learning-paper-key"),
    path("papers/<int:paper_id>/qti.zip", views_papers.paper_export, name="learning-paper-export"),
]

urlpatterns += [
    path("homework/", views_homework.homework_list, name="learning-homework-list"),
    path("homework/new/", views_homework.homework_new, name="learning-homework-new"),
    path("homework/layered/", views_homework.homework_layered, name="learning-homework-layered"),
    path("homework/push/", views_homework.homework_push, name="learning-homework-push"),
    path("homework/approve/<str:group>/", views_homework.homework_approve, name="learning-homework-approve"),
    path("homework/<int:assignment_id>/", views_homework.homework_detail, name="learning-homework-detail"),
    path("homework/<int:assignment_id>/close/", views_homework.homework_close, name="learning-homework-close"),
    path(
        "homework/<int:assignment_id>/mark/<int:entry_id>/",
        views_homework.homework_mark,
        name="learning-homework-mark",
    ),
    path("homework/<int:assignment_id>/import/", views_homework.homework_import, name="learning-homework-import"),
    path(
        "homework/<int:assignment_id>/import/<str:token>.csv",
        views_homework.homework_import_report,
        name="learning-homework-import-report",
    ),
    path("my/homework/", views_homework.my_homework, name="learning-my-homework"),
    path("my/homework/<int:submission_id>/", views_homework.my_submission, name="learning-my-submission"),
    path("my/homework/<int:submission_id>/save/", views_homework.my_save, name="learning-my-save"),
    path("my/homework/<int:submission_id>/submit/", views_homework.my_submit, name="learning-my-submit"),
    path("my/mistakes/", views_homework.my_mistakes, name="learning-my-mistakes"),
]

# 学情报告 above the class: the guardian's view, school and district reports (views_reports_area)
from zhijiao.learning import views_reports_area  # noqa: E402

urlpatterns += [
    path("reports/child/", views_reports_area.child_home, name="learning-report-child-home"),
    path("reports/child/<int:student_id>/", views_reports_area.child_page, name="learning-report-child"),
    path(
        "reports/assignments/<int:assignment_id>/schools/<int:school_id>/",
        views_reports_area.school_report,
        name="learning-report-school",
    ),
    path(
        "reports/assignments/<int:assignment_id>/schools/<int:school_id>/export.xlsx",
        views_reports_area.school_export,
        name="learning-report-school-export",
    ),
    path(
        "reports/assignments/<int:assignment_id>/classes/<int:class_id>/",
        views_reports_area.class_pupils,
        name="learning-report-class-pupils",
    ),
    path(
        "reports/assignments/<int:assignment_id>/district/",
        views_reports_area.district_report,
        name="learning-report-district",
    ),
    path(
        "reports/assignments/<int:assignment_id>/district/export.xlsx",
        views_reports_area.district_export,
        name="learning-report-district-export",
    ),
    path("reports/", views_reports.report_index, name="learning-report-index"),
    path("reports/classes/", views_reports.class_index, name="learning-report-classes"),
    path("reports/area/", views_reports_area.reports_home, name="learning-reports-area"),
    path("reports/class/<int:class_id>/", views_reports.class_report, name="learning-report-class"),
    path("reports/class/<int:class_id>/export.xlsx", views_reports.class_report_export, name="learning-report-export"),
    path("reports/student/<int:student_id>/", views_reports.pupil_report, name="learning-report-student"),
    path("reports/student/<int:student_id>/why/<int:point_id>/", views_reports.mastery_why, name="learning-report-why"),
]
