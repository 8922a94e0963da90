from django.urls import path

from zhijiao.curriculum import views

urlpatterns = [
    path("", views.curriculum_tree, name="curriculum-tree"),
    path("import/", views.curriculum_import, name="curriculum-import"),
    path("export/", views.curriculum_export, name="curriculum-export"),
]
