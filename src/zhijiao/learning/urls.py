from django.urls import path

from zhijiao.learning import views, views_import, views_papers, views_reports

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
    path("reports/", views_reports.report_index, name="learning-report-index"),
    path("reports/class/<int:class_id>/", views_reports.class_report, name="learning-report-class"),
    path("reports/class/<int:class_id>/export.xlsx", views_reports.class_report_export, name="learning-report-export"),
    path("reports/student/<int:student_id>/", views_reports.pupil_report, name="learning-report-student"),
    path("reports/student/<int:student_id>/why/<int:point_id>/", views_reports.mastery_why, name="learning-report-why"),
]
