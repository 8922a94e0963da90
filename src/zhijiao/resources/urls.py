from django.urls import path

from zhijiao.resources import views, views_preview, views_search

urlpatterns = [
    path("", views_search.resource_list_page, name="resource-list"),
    path("public/", views_search.resource_public_page, name="resource-public"),
    path("upload/", views.resource_upload, name="resource-upload"),
    path("mine/", views.resource_mine_page, name="resource-mine"),
    path("review/", views.resource_review_page, name="resource-review"),
    path("<int:resource_id>/", views.resource_detail, name="resource-detail"),
    path("<int:resource_id>/download/", views.resource_download, name="resource-download"),
    path("<int:resource_id>/preview/<str:name>", views_preview.resource_preview, name="resource-preview"),
    path("<int:resource_id>/submit/", views.resource_submit_view, name="resource-submit"),
    path("<int:resource_id>/review/", views.resource_review_view, name="resource-review-act"),
]
