from django.urls import path

from zhijiao.analytics import views, views_indicators, views_warnings

urlpatterns = [
    path("", views.overview, name="analytics"),
    # plan indicators and early warnings: before "<code>/...", which would read "indicators" as a code
    path("indicators/", views_indicators.indicator_list, name="indicator-list"),
    path("indicators/new/", views_indicators.indicator_edit, name="indicator-new"),
    path("indicators/report/", views_indicators.indicator_report, name="indicator-report"),
    path("indicators/<slug:code>/", views_indicators.indicator_detail, name="indicator-detail"),
    path("indicators/<slug:code>/edit/", views_indicators.indicator_edit, name="indicator-edit"),
    path("indicators/<slug:code>/template.xlsx", views_indicators.indicator_template, name="indicator-template"),
    path("warnings/", views_warnings.warning_list, name="warning-list"),
    path("warnings/rules/", views_warnings.warning_rules, name="warning-rules"),
    path("warnings/<int:pk>/", views_warnings.warning_detail, name="warning-detail"),
    path("warnings/<int:pk>/<slug:action>/", views_warnings.warning_action, name="warning-action"),
    # the actor's default node's report and exports: before "<code>/", which would read "report" as a code
    path("report/", views.report, name="analytics-report-default"),
    path("export/<slug:panel>.xlsx", views.download, name="analytics-export-default"),
    path("<str:code>/report/", views.report, name="analytics-report"),
    path("<str:code>/export/<slug:panel>.xlsx", views.download, name="analytics-export"),
    path("<str:code>/grade/<str:grade>/", views.grade_page, name="analytics-grade"),
    path("<str:code>/grade/<str:grade>/report/", views.report, name="analytics-grade-report"),
    path("<str:code>/grade/<str:grade>/export/<slug:panel>.xlsx", views.download, name="analytics-grade-export"),
    path("<str:code>/", views.overview, name="analytics-node"),
]
