from django.urls import path

from zhijiao.privacy import views

urlpatterns = [
    path("consent/", views.consent_page, name="privacy-consent"),
    path("consent/<int:student_id>/grant/", views.consent_grant_view, name="privacy-consent-grant"),
    path("consent/withdraw/<int:consent_id>/", views.consent_withdraw_view, name="privacy-consent-withdraw"),
    path("access/", views.access_log, name="privacy-access"),
    path("policy/", views.policy_page, name="privacy-policy"),
    path("policy/<str:code>/", views.policy_set_view, name="privacy-policy-set"),
]
