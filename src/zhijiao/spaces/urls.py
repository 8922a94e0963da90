from django.urls import path

from zhijiao.spaces import views
from zhijiao.spaces.contact import views as contact
from zhijiao.spaces.homes import views as homes
from zhijiao.spaces.leave import views as leave
from zhijiao.spaces.research import views as research
from zhijiao.spaces.research import views_hours as hours

urlpatterns = [
    path("", views.space_home, name="spaces-home"),
    path("notices/", views.notice_list, name="spaces-notices"),
    path("notices/new/", views.notice_new, name="spaces-notice-new"),
    # 网络学习空间: class, pupil, school, region; reminder settings
    path("class/<int:class_id>/", homes.class_page, name="spaces-class"),
    path("pupils/<int:student_id>/", homes.pupil_page, name="spaces-pupil"),
    path("school/<int:school_id>/", homes.school_public, name="spaces-school-public"),
    path("school/<int:school_id>/edit/", homes.school_edit, name="spaces-school-edit"),
    path("region/<str:code>/", homes.region_page, name="spaces-region"),
    path("settings/", homes.settings_page, name="spaces-settings"),
    path("notices/<int:notice_id>/", views.notice_page, name="spaces-notice"),
    path("notices/<int:notice_id>/confirm/", views.notice_confirm, name="spaces-notice-confirm"),
    path("notices/<int:notice_id>/remind/", views.notice_remind, name="spaces-notice-remind"),
    path("notices/<int:notice_id>/withdraw/", views.notice_withdraw, name="spaces-notice-withdraw"),
    # 请假
    path("leave/", leave.leave_home, name="spaces-leave"),
    path("leave/<int:leave_id>/decide/", leave.leave_decide, name="spaces-leave-decide"),
    path("leave/<int:leave_id>/cancel/", leave.leave_cancel, name="spaces-leave-cancel"),
    path("leave/class/<int:class_id>/", leave.class_attendance, name="spaces-leave-class"),
    # 家校沟通
    path("messages/", contact.thread_list, name="spaces-threads"),
    path("messages/<int:thread_id>/", contact.thread_page, name="spaces-thread"),
    path("messages/<int:thread_id>/hide/<int:message_id>/", contact.message_hide, name="spaces-message-hide"),
    # 网络教研
    path("research/", research.research_home, name="research-home"),
    path("research/groups/new/", research.group_new, name="research-group-new"),
    path("research/groups/<int:group_id>/", research.group_page, name="research-group"),
    path("research/groups/<int:group_id>/members/", research.group_members, name="research-group-members"),
    path("research/groups/<int:group_id>/activities/new/", research.activity_new, name="research-activity-new"),
    path("research/activities/<int:activity_id>/", research.activity_page, name="research-activity"),
    path("research/activities/<int:activity_id>/plan/", research.plan_save, name="research-plan-save"),
    path("research/activities/<int:activity_id>/final/", research.plan_final, name="research-plan-final"),
    path("research/activities/<int:activity_id>/publish/", research.plan_publish, name="research-plan-publish"),
    path("research/activities/<int:activity_id>/comment/", research.comment_add, name="research-comment"),
    path("research/activities/<int:activity_id>/score/", research.score_submit, name="research-score"),
    path("research/activities/<int:activity_id>/rubric/", research.rubric_set, name="research-rubric"),
    path("research/activities/<int:activity_id>/summary/", research.summary_write, name="research-summary"),
    path("research/activities/<int:activity_id>/join/", research.activity_join, name="research-join"),
    path("research/activities/<int:activity_id>/finish/", research.activity_finish, name="research-finish"),
    path("research/activities/<int:activity_id>/video/", research.video, name="research-video"),
    path("research/activities/<int:activity_id>/video/upload/", research.video_upload, name="research-video-upload"),
    # 继续教育学时
    path("hours/", hours.my_hours, name="hours-home"),
    path("hours/certificates/", hours.certificate_issue, name="hours-certificate-issue"),
    path("hours/certificates/<str:code>.pdf", hours.certificate_download, name="hours-certificate-pdf"),
    path("hours/certificates/revoke/", hours.certificate_revoke, name="hours-certificate-revoke"),
    path("hours/report/", hours.report, name="hours-report"),
    path("hours/rules/", hours.rules, name="hours-rules"),
    path("verify/", hours.verify, name="hours-verify"),
]
