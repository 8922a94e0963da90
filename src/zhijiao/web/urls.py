from django.urls import path

from zhijiao.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("region/", views.region, name="region"),
    path("region/<str:code>/", views.region, name="region-node"),
    path("schools/", views.school_list, name="school-list"),
    path("schools/<int:school_id>/", views.school_detail, name="school-detail"),
    path("classes/", views.class_list, name="class-list"),
    path("classes/<int:class_id>/", views.class_detail, name="class-detail"),
    path("students/", views.student_list, name="student-list"),
    path("students/<int:student_id>/", views.student_detail, name="student-detail"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff-detail"),
    path("styleguide/", views.styleguide, name="styleguide"),
]
