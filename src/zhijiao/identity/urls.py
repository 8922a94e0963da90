from django.urls import path

from zhijiao.identity import views

urlpatterns = [
    path("", views.security, name="security"),
    path("unlock/", views.security_unlock, name="security-unlock"),
    path("otp-reset/", views.security_otp_reset, name="security-otp-reset"),
]
