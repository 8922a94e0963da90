from django.urls import path

from zhijiao.services import views, views_admission, views_catalogue, views_institutions, views_status

urlpatterns = [
    path("lottery/", views.services_lottery, name="services-lottery"),
    path("lottery/new/", views.services_lottery_create, name="services-lottery-create"),
    path("lottery/<int:draw_id>/stage/", views.services_lottery_stage, name="services-lottery-stage"),
    path("lottery/<int:draw_id>/draw/", views.services_lottery_draw, name="services-lottery-draw"),
    path("lottery/<int:draw_id>/publish/", views.services_lottery_publish, name="services-lottery-publish"),
    path("lottery/public/<int:draw_id>/", views.services_lottery_public, name="services-lottery-public"),
    path("lottery/public/<int:draw_id>/files/<str:name>", views.services_lottery_file, name="services-lottery-file"),
    path("status/", views_status.services_status_home, name="services-status"),
    path("status/new/", views_status.services_status_new, name="services-status-new"),
    path("status/<int:case_id>/", views_status.services_status_case, name="services-status-case"),
    path("status/<int:case_id>/act/", views_status.services_status_act, name="services-status-act"),
    path("institutions/", views_institutions.services_institutions, name="services-institutions"),
    path("institutions/new/", views_institutions.services_institution_create, name="services-institution-create"),
    path("institutions/import/", views_institutions.services_institution_import, name="services-institution-import"),
    path("institutions/<int:institution_id>/", views_institutions.services_institution, name="services-institution"),
    path(
        "institutions/<int:institution_id>/act/",
        views_institutions.services_institution_act,
        name="services-institution-act",
    ),
    path("institutions/public/", views_institutions.services_institutions_public, name="services-institutions-public"),
    path(
        "institutions/public/<int:institution_id>/",
        views_institutions.services_institution_public,
        name="services-institution-public",
    ),
    path(
        "institutions/public/export.<str:fmt>",
        views_institutions.services_institutions_export,
        name="services-institutions-export",
    ),
    path("", views_catalogue.services_catalogue, name="services-catalogue"),
]

urlpatterns += [
    path("admission/", views_admission.admission_home, name="services-admission"),
    path("admission/phone/", views_admission.admission_phone, name="services-admission-phone"),
    path("admission/apply/", views_admission.admission_apply, name="services-admission-apply"),
    path("admission/<int:application_id>/", views_admission.admission_detail, name="services-admission-detail"),
    path("admission/<int:application_id>/act/", views_admission.admission_act, name="services-admission-act"),
    path("admission/files/<int:file_id>/", views_admission.admission_file, name="services-admission-file"),
    path("admission/manage/", views_admission.admission_manage, name="services-admission-manage"),
    path("admission/catchments/", views_admission.admission_catchments, name="services-admission-catchments"),
    path("admission/rules/", views_admission.admission_rules, name="services-admission-rules"),
    path("admission/enrol/<int:school_id>/", views_admission.admission_enrol, name="services-admission-enrol"),
    path("admission/outbox/", views_admission.admission_outbox, name="services-admission-outbox"),
]
