"""A hook for the panels of the 网络学习空间 homes, filled by the apps that own what a panel shows.

``spaces`` renders a person's space (teacher, pupil, guardian) and a class's space, but what concerns a pupil comes
from apps beside it on the same layer (homework from ``learning``, the record from ``growth``), which it may not
import. Such an app registers a provider here in its ``AppConfig.ready()``; the space calls every provider for its
kind and shows the panels that came back, in ``order``. ``spaces`` registers the panels it owns the same way.

A provider takes the acting account and a :class:`SpaceContext` and returns a :class:`Panel` or None (nothing to
show). It must ask its own app's selectors, which check scope: the context only says whose space is being shown,
never grants anything. A provider that fails is logged and left out, so one app's bug does not break the home.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from zhijiao.core.actor import Actor

logger = logging.getLogger("zhijiao.spaces")

KINDS = ("teacher", "pupil", "guardian", "class")


@dataclass(frozen=True)
class SpaceContext:
    """Whose space: ``kind`` (one of KINDS); the pupil (a pupil's own space, or a guardian's child), the class."""

    kind: str
    student_id: int | None = None
    class_id: int | None = None
    school_id: int | None = None
    stage: str = ""
    grade: str = ""  # the pupil's 年级 code this school year ("" when not placed)


@dataclass(frozen=True)
class PanelItem:
    title: str
    url: str = ""
    meta: str = ""  # one short line under the title (a date, a subject)
    badge: str = ""  # a short state word (未完成, 已读 …)
    tone: str = "gray"  # the badge colour: gray, green, orange, red, blue


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    items: list[PanelItem] = field(default_factory=list)
    more_url: str = ""
    more_label: str = "查看全部"
    empty: str = "暂无内容。"
    order: int = 100


PanelProvider = Callable[[Actor, SpaceContext], Panel | None]

_providers: dict[str, tuple[int, tuple[str, ...], PanelProvider]] = {}


def space_panel_register(key: str, provider: PanelProvider, *, kinds: tuple[str, ...], order: int = 100) -> None:
    """Show ``provider``'s panel on the spaces of ``kinds`` (registered once per key; a second call replaces it)."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown space kinds: {sorted(unknown)}")
    _providers[key] = (order, kinds, provider)


def space_panel_keys(kind: str) -> list[str]:
    return [k for k, (_, kinds, _) in sorted(_providers.items(), key=lambda kv: kv[1][0]) if kind in kinds]


def space_panels(actor: Actor, context: SpaceContext) -> list[Panel]:
    """The panels of ``context.kind``'s space for ``actor``, in order; providers returning None are left out."""
    panels: list[Panel] = []
    for key in space_panel_keys(context.kind):
        provider = _providers[key][2]
        try:
            panel = provider(actor, context)
        except Exception:  # one app's panel must not take the whole space down
            logger.exception("空间面板 %s 出错，已略过", key)
            continue
        if panel is not None:
            panels.append(panel)
    return panels
