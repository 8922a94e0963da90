from django.urls import path

from zhijiao.resources import views, views_edit, views_preview, views_search, views_search_terms, views_usage

urlpatterns = [
    path("", views_search.resource_list_page, name="resource-list"),
    path("public/", views_search.resource_public_page, name="resource-public"),
    path("suggest/", views_search.resource_suggest, name="resource-suggest"),
    path("search-terms/", views_search_terms.search_terms_page, name="resource-search-terms"),
    path("upload/", views_edit.resource_upload, name="resource-upload"),
    path("form/taxonomy/", views_edit.resource_form_taxonomy, name="resource-form-taxonomy"),
    path("mine/", views.resource_mine_page, name="resource-mine"),
    path("review/", views.resource_review_page, name="resource-review"),
    path("<int:resource_id>/", views.resource_detail, name="resource-detail"),
    path("<int:resource_id>/download/", views.resource_download, name="resource-download"),
    path("<int:resource_id>/preview/<str:name>", views_preview.resource_preview, name="resource-preview"),
    path("<int:resource_id>/edit/", views_edit.resource_edit, name="resource-edit"),
    path("<int:resource_id>/delete/", views_edit.resource_delete_view, name="resource-delete"),
    path("<int:resource_id>/submit/", views.resource_submit_view, name="resource-submit"),
    path("<int:resource_id>/review/", views.resource_review_view, name="resource-review-act"),
    path("favourites/", views_usage.favourites_page, name="resource-favourites"),
    path("<int:resource_id>/rate/", views_usage.rating_post, name="resource-rate"),
    path("<int:resource_id>/favourite/", views_usage.favourite_post, name="resource-favourite"),
    path("<int:resource_id>/comments/", views_usage.comment_post, name="resource-comment"),
    path(
        "<int:resource_id>/comments/<int:comment_id>/hide/",
        views_usage.comment_hide_post,
        name="resource-comment-hide",
    ),
]
