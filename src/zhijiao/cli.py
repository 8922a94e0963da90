"""The ``zhijiao`` command: a thin front over Django management commands.

``zhijiao demo``, ``serve``, ``migrate``, ``check``, ``generate``, ``worker``, ``api-token`` … are
the operator-facing names; ``zhijiao manage ARGS`` reaches any Django command.
"""

from __future__ import annotations

import os
import sys

# operator-facing name -> Django management command
COMMANDS = {
    "demo": "demo",
    "serve": "serve",
    "migrate": "migrate",
    "check": "selfcheck",
    "generate": "generate",
    "import": "intake_import",
    "worker": "run_huey",
    "api-token": "api_token",
    "createadmin": "createadmin",
    "accounts": "provision_accounts",
    "analytics": "analytics",
    "resources": "resources",
    "curriculum": "curriculum",
    "lottery": "lottery",
    "fitness": "fitness",
    "learning": "learning",
    "demo-rp": "demo_rp",
    "oidc-client": "oidc_client",
    "oidc-keys": "oidc_keys",
    "xapi": "xapi",
    "backup": "backup",
    "restore": "restore",
}

USAGE = """用法：zhijiao <命令> [参数]

命令：
  demo        准备演示区域数据并启动服务（--scale small|district|city，--reset，--setup-only）
  serve       启动 Web 服务（--host，--port）
  migrate     升级数据库结构
  check       配置与数据完整性自检
  backup      备份全部平台数据到目录（DIR [--json]，平台运行中也可执行）
  restore     从备份目录恢复（DIR [--force] [--json]，先停止平台）
  import      导入学校数据文件（schools|classes|staff|students|guardians|assignments，--school，--json）
  generate    生成模拟的学校导入文件（schools|classes|staff|students|guardians|assignments）
  worker      启动后台任务进程（Huey）
  api-token   为服务账号签发 API 令牌
  createadmin 创建平台管理员账号
  accounts    账号：sync [--school CODE] [--json] 按登记信息开通、停用账号与授权；
              activation-codes --school CODE --out FILE.xlsx 为未激活账号签发激活码
  analytics   数据仓库快照与统计指标（snapshot，metrics --node CODE --json，list，sql，warnings）
  resources   资源中心：import-package ZIP [--account U] [--skip-bad] [--submit|--publish] [--json]，
              export-jsonld [--out FILE]，reindex，library [--count N]，template [--out FILE]
  curriculum  课程体系：import FILE [--json] 导入教材版本的章节与知识点（.xlsx/.csv），
              export --edition CODE [--subject S] [--stage S] FILE 导出，stats [--json] [--per-book] 统计
  lottery     电脑派位：draw --applicants CSV --seats N --public-input TEXT --out DIR 抽签并写出结果与哈希，
              verify DIR 按公布的数据重新抽签，逐字节核对（一致时退出码为 0）

  fitness     体质健康：score IN OUT [--json] 按《国家学生体质健康标准》评分（.xlsx/.csv），
              report IN [--by 年级|班级|学校|性别] 统计优良率、及格率、肥胖率，
              tables list|check FILE|load FILE 查看、核验、载入评分表

  learning    精准教学：evaluate cdm --train CSV --test CSV --q Q.txt [--model hybrid|dina|irt] [--json]，
              evaluate kt --train TSV --test TSV [--model lr|bkt] [--format tsv|pykt] [--json] 在公开数据上评估诊断模型
  demo-rp     启动示例应用，演示通过智教单点登录与退出（--port，--issuer，--trusted）
  oidc-client 登记或列出单点登录应用（create --name N --redirect-uri U [--public] [--trusted] --json；list）
  oidc-keys   单点登录签名密钥（show；rotate 生成新密钥，旧密钥仍公布）
  xapi        学习记录库：credentials --app NAME [--read-all] --json 为应用签发 xAPI 读写凭据
  manage      运行任意 Django 管理命令
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    name, rest = args[0], args[1:]
    if name == "manage":
        command = rest
    elif name in COMMANDS:
        command = [COMMANDS[name], *rest]
        if name == "learning":
            # The models are long runs of memory-bound vector operations: OpenBLAS's threads only spin on them,
            # and on a busy 2-core machine they made a fit 5-10 times slower (decision 0037-diagnosis-
            # models). Set before numpy loads; an operator's own setting wins.
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    else:
        print(f"未知命令：{name}\n\n{USAGE}", file=sys.stderr)
        raise SystemExit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhijiao", *command])


if __name__ == "__main__":
    main()
