from django.urls import path

from zhijiao.spaces import views

urlpatterns = [
    path("", views.space_home, name="spaces-home"),
    path("notices/new/", views.notice_new, name="spaces-notice-new"),
    path("notices/<int:notice_id>/", views.notice_page, name="spaces-notice"),
    path("notices/<int:notice_id>/confirm/", views.notice_confirm, name="spaces-notice-confirm"),
    path("notices/<int:notice_id>/remind/", views.notice_remind, name="spaces-notice-remind"),
    path("notices/<int:notice_id>/withdraw/", views.notice_withdraw, name="spaces-notice-withdraw"),
]
