from django.urls import path

from zhijiao.analytics import views

urlpatterns = [
    path("", views.overview, name="analytics"),
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
