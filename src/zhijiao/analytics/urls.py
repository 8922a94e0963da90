from django.urls import path

from zhijiao.analytics import views

urlpatterns = [
    path("", views.overview, name="analytics"),
    path("<str:code>/", views.overview, name="analytics-node"),
]
