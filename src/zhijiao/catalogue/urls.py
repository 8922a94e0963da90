from django.urls import path

from zhijiao.catalogue import views

urlpatterns = [
    path("catalogue/", views.catalogue_list, name="catalogue-list"),
    path("catalogue/<slug:code>/", views.catalogue_detail, name="catalogue-detail"),
    path("quality/", views.quality_page, name="quality"),
]
