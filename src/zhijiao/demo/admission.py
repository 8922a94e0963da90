"""义务教育招生 in the demo: this year's admission in the bureau's district, built through ``services.admission``.

Plans for the district's schools of the principal's stage (one of them a 民办 school), catchments (one 多校划片),
the three categories, and some forty families registered by mobile number: at the principal's school everyone is
reviewed, placed and the results published (the demo parent's child among the admitted, some on the waitlist);
at a second school applications wait at each step (school, bureau, supplement, refused, appeal); the private
school is over-subscribed and its lottery list and commitment are published, ready to draw on the draw page.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.core.validators import id_check_digit
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create
from zhijiao.org.models import School
from zhijiao.services import admission
from zhijiao.services.models_admission import Stage

COMPOUNDS = ("金银湖花园", "银湖翡翠", "常青花园", "万科城", "吴家山新城", "碧桂园", "保利心语", "东方雅园", "清水湾")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ("子涵", "欣怡", "梓轩", "雨桐", "浩然", "一诺", "思远", "可馨", "宇航", "诗琪", "俊熙", "若曦")


def _id(region: str, born: date, seq: int) -> str:
    first = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return first + id_check_digit(first)


def demo_admission(*, seed: int, progress: Callable[[str], None]) -> None:
    progress("网上办事：义务教育招生（计划、施教区、报名、派位）……")
    a = {x.username: x for x in Account.objects.filter(username__in=["parent", "principal", "bureau"])}
    if len(a) < 3:
        return
    bureau, principal, parent = a["bureau"], a["principal"], a["parent"]
    home = School.objects.filter(pk__in=scope_for(principal).school_ids()).select_related("division").first()
    if home is None:
        return
    stage = Stage.PRIMARY if "2" in home.stage_codes else Stage.JUNIOR
    code = "2" if stage == Stage.PRIMARY else "3"
    others = [
        s
        for s in School.objects.filter(division=home.division, is_active=True).exclude(pk=home.pk).order_by("code")
        if code in s.stage_codes
    ]
    if len(others) < 2:
        return
    second, private = others[0], others[1]
    year = timezone.localdate().year
    rnd = random.Random(seed + 17)
    admission.plan_save(actor=bureau, school=home, year=year, stage=stage, seats=12)
    admission.plan_save(actor=bureau, school=second, year=year, stage=stage, seats=40)
    admission.plan_save(actor=bureau, school=private, year=year, stage=stage, seats=3, is_private=True)
    for school in others[2:6]:
        admission.plan_save(actor=bureau, school=school, year=year, stage=stage, seats=rnd.choice([45, 90, 135]))
    division = home.division
    catchments = []
    for i, name in enumerate(COMPOUNDS):
        codes = [home.code] if i < 4 else [second.code] if i < 8 else [home.code, second.code]
        catchments.append(
            admission.catchment_save(
                actor=bureau,
                division=division,
                year=year,
                stage=stage,
                compound=name,
                address_range=f"{rnd.choice(['金银湖路', '吴家山街', '临空港大道'])}{i * 20 + 1}-{i * 20 + 19}号",
                school_codes=codes,
            )
        )
    admission.rule_save(
        actor=bureau,
        division=division,
        year=year,
        rank=1,
        name="一类",
        need_hukou_in_catchment=True,
        housing=["property"],
        note="户籍与房产均在施教区",
    )
    admission.rule_save(
        actor=bureau, division=division, year=year, rank=2, name="二类", housing=["property"], note="房产在施教区"
    )
    admission.rule_save(
        actor=bureau,
        division=division,
        year=year,
        rank=3,
        name="三类",
        need_residence_permit=True,
        min_social_months=12,
        note="居住证 + 社保满12个月",
    )
    born = date(year - 6, 3, 1) if stage == Stage.PRIMARY else date(year - 12, 3, 1)

    def apply(n: int, actor: Account, catchment, *, private_choice: bool = False, profile: int = 0):  # type: ignore[no-untyped-def]
        hukou, housing, permit, months = [
            (True, "property", False, 0),
            (False, "property", False, 0),
            (False, "lease", True, 24),
            (False, "lease", True, 6),
        ][profile]
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN)
        data = admission.ApplicationInput(
            year=year,
            stage=stage,
            guardian_name=actor.person.name if actor.person else name[0] + "家长",
            guardian_phone=actor.username[2:]
            if actor.username.startswith("rx")
            else (actor.person.phone if actor.person and actor.person.phone else "13800000000"),
            relation=rnd.choice(["父亲", "母亲"]),
            child_name=name,
            child_id_number=_id(division.code, born.replace(day=1 + n % 28), 100 + n),
            hukou_address=f"湖北省武汉市{division.name}{catchment.address_range or catchment.compound}",
            catchment_id=catchment.pk,
            home_address=f"{catchment.compound}{rnd.randint(1, 20)}栋{rnd.randint(1, 30)}0{rnd.randint(1, 4)}",
            hukou_in_catchment=hukou,
            housing=housing,
            residence_permit=permit,
            social_months=months,
            school_id=home.pk if catchment.schools.filter(pk=home.pk).exists() else None,
            private_school_id=private.pk if private_choice else None,
        )
        files = [admission.Evidence("hukou", "户口簿.pdf", [b"%PDF-1.4 demo"])]
        if housing == "property":
            files.append(admission.Evidence("property", "不动产权证书.pdf", [b"%PDF-1.4 demo"]))
        return admission.application_submit(actor=actor, data=data, files=files)

    families = []
    for n in range(40):
        phone = f"1390{n:07d}"
        families.append(
            Account.objects.filter(username=f"rx{phone}").first()
            or account_create(username=f"rx{phone}", password=None, display_name=f"{phone[:3]}****{phone[-4:]} 家长")
        )

    def approve(app):  # type: ignore[no-untyped-def]
        admission.review(actor=principal, application_id=app.pk, action="approve")
        return admission.review(actor=bureau, application_id=app.pk, action="approve")

    near = [*catchments[:4], catchments[8]]  # the principal's school reviews them all (学校审核)

    # the principal's school: reviewed, placed, published — the demo parent's child admitted
    mine = apply(0, parent, catchments[0], profile=0)
    approve(mine)
    at_home = [apply(n, families[n], near[n % 4], profile=[0, 0, 1, 2][n % 4]) for n in range(1, 15)]
    for app in at_home:
        approve(app)
    # the private school (公民同招): over-subscribed, all approved; the lottery list and commitment are published
    # first; the public placement of the families who chose it waits for its draw
    for n in range(15, 23):
        approve(apply(n, families[n], near[n % 5], private_choice=True, profile=n % 3))
    admission.placement_run(actor=bureau, school=home, year=year, stage=stage)
    admission.results_publish(actor=bureau, school=home, year=year, stage=stage)
    admission.placement_run(
        actor=bureau,
        school=private,
        year=year,
        stage=stage,
        input_plan=f"{year}年7月10日中国福利彩票“3D”开奖号码（由公证人员现场录入）",
    )
    # more families for the principal's school, waiting at every step (the review queues)
    queue = [apply(n, families[n], near[n % 5], profile=n % 4) for n in range(23, 40)]
    for i, app in enumerate(queue):
        step = i % 6
        if step == 0:
            continue  # 待学校审核
        reviewer = principal
        if step == 1:
            admission.review(actor=reviewer, application_id=app.pk, action="supplement", note="请补充上传房产证明")
            continue
        admission.review(actor=reviewer, application_id=app.pk, action="approve")
        if step == 2:
            continue  # 待教育局审核
        if step in (3, 4):
            admission.review(actor=bureau, application_id=app.pk, action="reject", note="房产地址不在所选小区")
            if step == 4:
                admission.appeal(actor=app.applicant, application_id=app.pk, note="已迁入户口，附新户口簿")
            continue
        admission.review(actor=bureau, application_id=app.pk, action="approve")
