"""Screenshots of 三员分立 on 账号管理 (issue 12): what a 系统管理员 sees on a teacher's account, and a bureau on
the 安全管理员's — both may look, neither may take the account over.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_separation.py [--out docs/screenshots] [--port 8110]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    password = accounts["admin"]["password"]

    with demo_server(args.port) as base, chromium() as browser:
        page = new_page(browser)
        login(page, base, "sysadmin", password, accounts["sysadmin"]["totp_secret"])
        shot(page, out / "access-sod-sysadmin-on-teacher.png", url=f"{base}/accounts/admin/teacher/")
        login(page, base, "bureau", password, accounts["bureau"]["totp_secret"])
        shot(page, out / "access-sod-bureau-on-secadmin.png", url=f"{base}/accounts/admin/secadmin/")
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()
