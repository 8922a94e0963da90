from django.urls import path

from zhijiao.identity import views, views_admin

urlpatterns = [
    path("", views.security, name="security"),
    path("unlock/", views.security_unlock, name="security-unlock"),
    path("otp-reset/", views.security_otp_reset, name="security-otp-reset"),
]

# 账号管理, mounted at /accounts/admin/ (zhijiao.config.urls)
admin_urlpatterns = [
    path("", views_admin.accounts_admin, name="account-admin"),
    path("<str:username>/", views_admin.account_admin, name="account-admin-detail"),
    path("<str:username>/grants/", views_admin.account_grant_add, name="account-admin-grant-add"),
    path(
        "<str:username>/grants/<int:grant_id>/remove/",
        views_admin.account_grant_remove,
        name="account-admin-grant-remove",
    ),
    path(
        "<str:username>/password-reset/", views_admin.account_password_reset_view, name="account-admin-password-reset"
    ),
    path("<str:username>/disable/", views_admin.account_disable_view, name="account-admin-disable"),
    path("<str:username>/enable/", views_admin.account_enable_view, name="account-admin-enable"),
]
