"""Demo apps in the registry, so the portal (我的应用) and the registry page have something real to show.

They are registered through the registry service like any app; their addresses are placeholders under
example.com (RFC 2606), so 进入 leads nowhere until a real app takes its place. The sample relying party
(``zhijiao demo-rp``) registers itself separately.
"""

from __future__ import annotations

from zhijiao.access.roles import Role
from zhijiao.oidc.models import RegisteredApp
from zhijiao.oidc.services import app_register
from zhijiao.org.models import Division

DEMO_APPS: list[dict] = [
    {
        "name": "作业与练习",
        "host": "zuoye",
        "description": "布置、提交与批改作业，错题自动归集，按知识点推送练习。",
        "roles": [Role.TEACHER, Role.HEAD_TEACHER, Role.STUDENT, Role.PARENT],
        "trusted": True,
    },
    {
        "name": "智慧课堂",
        "host": "ketang",
        "description": "课堂互动、随堂测验与课件共享，课后自动生成学情报告。",
        "roles": [Role.TEACHER, Role.HEAD_TEACHER, Role.STUDENT],
        "trusted": True,
    },
    {
        "name": "家校沟通",
        "host": "jiaxiao",
        "description": "班级通知、请假与家长会预约，消息送达可查。",
        "roles": [Role.PARENT, Role.HEAD_TEACHER, Role.TEACHER, Role.SCHOOL_ADMIN],
        "trusted": False,
    },
    {
        "name": "督导评估",
        "host": "dudao",
        "description": "学校督导检查、整改跟踪与办学水平评估（限本区域）。",
        "roles": [Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN],
        "trusted": True,
        "in_root": True,
    },
]


def register_demo_apps(*, root: str) -> list[RegisteredApp]:
    """Register the demo apps that are not registered yet (by name); ``root`` is the demo region's division."""
    made: list[RegisteredApp] = []
    division = Division.objects.get(pk=root)
    for spec in DEMO_APPS:
        if RegisteredApp.objects.filter(application__name=spec["name"]).exists():
            continue
        base = f"https://{spec['host']}.example.com"
        app, _secret = app_register(  # the secret is not needed: nothing signs in to a placeholder
            actor=None,
            name=spec["name"],
            description=spec["description"],
            home_url=f"{base}/",
            redirect_uris=[f"{base}/oidc/callback"],
            post_logout_redirect_uris=[f"{base}/"],
            backchannel_logout_uri=f"{base}/oidc/backchannel-logout",
            trusted=spec["trusted"],
            allowed_roles=[r.value for r in spec["roles"]],
            divisions=[division] if spec.get("in_root") else [],
        )
        made.append(app)
    return made
