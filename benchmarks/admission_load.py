"""Enrolment-day load (义务教育招生): families register by mobile number, fill the form, upload evidence, submit.

A Locust file against a running ``zhijiao serve`` on PostgreSQL with the demo region (it has this year's plans,
catchments and categories). Each simulated family, once:

1. ``报名/打开登录页`` GET /services/admission/phone/
2. ``报名/获取验证码`` POST the mobile number (the server runs with ``ZHIJIAO_SMS_SHOW_CODES=1``, so the page
   shows the text the outbox holds — the load tool reads the code there, as a family reads its phone)
3. ``报名/验证码登录`` POST the code (a new family account is made and signed in)
4. ``报名/打开报名表`` GET /services/admission/apply/ (the catchments list)
5. ``报名/提交报名`` POST the form with two evidence files (户口簿 200 KB, 房产证明 300 KB; multipart)
6. ``报名/查看进度`` GET the application page

then waits 1–3 s and starts again as a new family (a new number and a new child). Every step's failure (a status
other than the expected one, or the expected page text missing) is an error. Run (see docs/benchmarks.md):

    createdb -h 127.0.0.1 -U postgres zh_adm_load
    export ZHIJIAO_HOME=/tmp/zh-load DATABASE_URL=postgres://postgres@127.0.0.1:5432/zh_adm_load
    uv run zhijiao demo --setup-only
    ZHIJIAO_SMS_SHOW_CODES=1 uv run zhijiao serve --port 8614 --workers 4 --threads 8 &
    uv run locust -f benchmarks/admission_load.py --host http://127.0.0.1:8614 --headless \
        -u 500 -r 25 -t 5m --csv /tmp/adm-load --only-summary
"""

from __future__ import annotations

import itertools
import os
import random
import re
import time
from datetime import date, timedelta

from locust import HttpUser, between, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
YEAR = re.compile(r'name="year" value="(\d{4})"')
CODE = re.compile(r"验证码是 (\d{6})")
CATCHMENT = re.compile(r'<option value="(\d+)"[^>]*>[^<]*→ ([^<]*)</option>')
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_counter = itertools.count(random.Random(os.getpid()).randrange(1, 10**6) * 1000)
HUKOU = os.urandom(200 * 1024)
PROPERTY = os.urandom(300 * 1024)


def child_id(n: int) -> str:
    """A valid resident ID number, unique per ``n`` (birth date and order code vary)."""
    born = date(2019, 9, 1) + timedelta(days=n % 365)
    first = f"420112{born:%Y%m%d}{(n // 365) % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(first, _WEIGHTS, strict=True))
    return first + _CHECK[total % 11]


# A family reads each page before the next step, and takes a while to fill the form (typing names, ID numbers and
# addresses, choosing the photos); ``ADM_THINK``/``ADM_FILL`` ("low,high" seconds) change it, "0,0" for none.
THINK = tuple(float(x) for x in os.environ.get("ADM_THINK", "2,6").split(","))
FILL = tuple(float(x) for x in os.environ.get("ADM_FILL", "20,40").split(","))


def _pause(bounds: tuple[float, ...]) -> None:
    if bounds[1] > 0:
        time.sleep(random.uniform(bounds[0], bounds[1]))  # gevent-patched under Locust: yields to other users


class Family(HttpUser):
    wait_time = between(1, 3)

    def _csrf(self, html: str) -> str:
        found = CSRF.search(html)
        return found.group(1) if found else ""

    @task
    def apply(self) -> None:
        n = next(_counter)
        phone = f"137{n % 10**8:08d}"
        self.client.cookies.clear()
        with self.client.get("/services/admission/phone/", name="报名/打开登录页", catch_response=True) as r:
            token = self._csrf(r.text)
            if r.status_code != 200 or not token:
                r.failure(f"登录页 {r.status_code}")
                return
        _pause(THINK)
        with self.client.post(
            "/services/admission/phone/",
            {"csrfmiddlewaretoken": token, "phone": phone, "action": "send"},
            name="报名/获取验证码",
            catch_response=True,
        ) as r:
            code = CODE.search(r.text)
            if r.status_code != 200 or code is None:
                r.failure(f"验证码 {r.status_code}")
                return
            token = self._csrf(r.text) or token
        _pause(THINK)
        with self.client.post(
            "/services/admission/phone/",
            {"csrfmiddlewaretoken": token, "phone": phone, "action": "verify", "code": code.group(1)},
            name="报名/验证码登录",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"登录 {r.status_code}")
                return
        _pause(THINK)
        with self.client.get("/services/admission/apply/", name="报名/打开报名表", catch_response=True) as r:
            options = CATCHMENT.findall(r.text)
            token = self._csrf(r.text)
            if r.status_code != 200 or not options or not token:
                r.failure(f"报名表 {r.status_code}")
                return
        single = [pk for pk, schools in options if "、" not in schools] or [options[0][0]]
        form = {
            "csrfmiddlewaretoken": token,
            "year": YEAR.search(r.text).group(1) if YEAR.search(r.text) else "",
            "stage": "primary",
            "guardian_name": "压测家长",
            "guardian_phone": phone,
            "relation": random.choice(["父亲", "母亲"]),
            "child_name": "压测儿童",
            "child_id_number": child_id(n),
            "hukou_address": "湖北省武汉市东西湖区金银湖路8号",
            "catchment": random.choice(single),
            "home_address": "3栋2单元501",
            "hukou_in_catchment": "1",
            "housing": "property",
            "social_months": "0",
        }
        files = {
            "file_hukou": ("户口簿.jpg", HUKOU, "image/jpeg"),
            "file_property": ("房产证.pdf", PROPERTY, "application/pdf"),
        }
        _pause(FILL)
        with self.client.post(
            "/services/admission/apply/",
            data=form,
            files=files,
            name="报名/提交报名",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            where = r.headers.get("Location", "")
            if r.status_code != 302 or not where.startswith("/services/admission/"):
                r.failure(f"提交 {r.status_code}")
                return
        _pause(THINK)
        with self.client.get(where, name="报名/查看进度", catch_response=True) as r:
            if r.status_code != 200 or "资格审核" not in r.text:
                r.failure(f"进度 {r.status_code}")
