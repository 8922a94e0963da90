from django.urls import path

from zhijiao.growth import views, views_fitness, views_health, views_pupil

urlpatterns = [
    path("", views.growth_home, name="growth-home"),
    path("classes/<int:class_id>/", views.growth_class, name="growth-class"),
    path("classes/<int:class_id>/open/", views.growth_class_open, name="growth-class-open"),
    path("classes/<int:class_id>/step/<str:step>/", views.growth_class_step, name="growth-class-step"),
    path("classes/<int:class_id>/record/", views.growth_class_record, name="growth-class-record"),
    path("classes/<int:class_id>/record/template.xlsx", views.growth_class_template, name="growth-class-template"),
    path("classes/<int:class_id>/levels/", views.growth_class_levels, name="growth-class-levels"),
    path(
        "classes/<int:class_id>/records/<int:record_id>/object/",
        views.growth_objection_raise,
        name="growth-objection-raise",
    ),
    path("objections/<int:objection_id>/answer/", views.growth_objection_answer, name="growth-objection-answer"),
    path("pupils/<int:student_id>/", views_pupil.growth_pupil, name="growth-pupil"),
    path("pupils/<int:student_id>/record/", views_pupil.growth_pupil_record, name="growth-pupil-record"),
    path("pupils/<int:student_id>/select/", views_pupil.growth_pupil_select, name="growth-pupil-select"),
    path("pupils/<int:student_id>/statement/", views_pupil.growth_pupil_statement, name="growth-pupil-statement"),
    path("pupils/<int:student_id>/archive/", views_pupil.growth_archive, name="growth-archive"),
    path(
        "pupils/<int:student_id>/archive.<str:kind>",
        views_pupil.growth_archive_download,
        name="growth-archive-download",
    ),
    path("fitness/", views_fitness.fitness_home, name="fitness-home"),
    path("fitness/new/", views_fitness.fitness_session_new, name="fitness-session-new"),
    path("fitness/district/", views_fitness.fitness_district, name="fitness-district"),
    path("fitness/area-import/", views_fitness.fitness_area_import, name="fitness-area-import"),
    path("fitness/area-import/<str:token>.csv", views_fitness.fitness_area_report, name="fitness-area-report"),
    path("fitness/sessions/<int:session_id>/", views_fitness.fitness_session, name="fitness-session"),
    path("fitness/sessions/<int:session_id>/export.xlsx", views_fitness.fitness_export, name="fitness-export"),
    path(
        "fitness/sessions/<int:session_id>/classes/<int:class_id>/",
        views_fitness.fitness_class,
        name="fitness-class",
    ),
    path("fitness/pupils/<int:student_id>/", views_fitness.fitness_pupil, name="fitness-pupil"),
    path("health/", views_health.health_home, name="health-home"),
    path("health/classes/<int:class_id>/", views_health.health_class, name="health-class"),
    path("health/pupils/<int:student_id>/", views_health.health_pupil, name="health-pupil"),
    path("health/pupils/<int:student_id>/psych/", views_health.health_psych, name="health-psych"),
    path("evidence/<int:evidence_id>/", views_pupil.growth_evidence, name="growth-evidence"),
]
