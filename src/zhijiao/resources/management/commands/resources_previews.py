from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from zhijiao.resources.models import PreviewState, ResourceFile
from zhijiao.resources.previews import preview_build


class Command(BaseCommand):
    help = "补生成资源文件的缩略图与预览（--pending 只处理未生成的，--all 全部重新生成，--failed 重试失败和缺工具的）"

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--pending", action="store_true", help="只处理尚未生成预览的文件")
        which.add_argument("--failed", action="store_true", help="重试生成失败或当时缺少工具的文件")
        which.add_argument("--all", action="store_true", help="全部重新生成")

    def handle(self, *args, **opts) -> None:
        files = ResourceFile.objects.order_by("pk")
        if opts["pending"]:
            files = files.filter(preview_state=PreviewState.PENDING)
        elif opts["failed"]:
            files = files.filter(preview_state__in=[PreviewState.FAILED, PreviewState.NONE]).exclude(preview_kind="")
        elif not opts["all"]:
            raise CommandError("请指定 --pending、--failed 或 --all")
        states: Counter[str] = Counter()
        for file in files.iterator(chunk_size=200):
            outcome = preview_build(file)
            states[outcome.state] += 1
            if outcome.state == PreviewState.FAILED:
                self.stderr.write(f"{file.sha256[:12]}（{file.mime}）：{outcome.note}")
        labels = dict(PreviewState.choices)
        summary = "，".join(f"{labels[s]} {n}" for s, n in sorted(states.items())) or "无"
        self.stdout.write(self.style.SUCCESS(f"已处理 {sum(states.values())} 个文件：{summary}"))
