from django.urls import path

from zhijiao.services import views, views_catalogue, views_institutions, views_status

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
