"""The portal (我的应用) and the app registry (应用管理).

URL names: ``apps…`` for the portal, ``app-…`` for the registry (the navigation marks its item by them).
"""

from django.urls import path

from zhijiao.oidc import views_apps as views

urlpatterns = [
    path("apps/", views.portal, name="apps"),
    path("apps/<int:pk>/logo", views.app_logo, name="apps-logo"),
    path("apps/registry/", views.registry_list, name="app-registry"),
    path("apps/registry/new/", views.registry_new, name="app-register"),
    path("apps/registry/<int:pk>/", views.registry_edit, name="app-edit"),
    path("apps/registry/<int:pk>/secret/", views.registry_secret, name="app-secret"),
    path("apps/registry/<int:pk>/active/", views.registry_active, name="app-active"),
]
