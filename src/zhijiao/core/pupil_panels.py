"""A hook for panels about one pupil that an app above shows on its own pupil page.

The 成长档案 portrait (``growth``) and the personal space (``spaces``) show a pupil's learning summary, which the
``learning`` app builds; the three sit on one layer and may not import each other. ``learning`` registers a provider
here in its ``AppConfig.ready()`` and a page asks :func:`pupil_panels` for the rendered panels it may show: each
provider decides itself whether the acting account may see anything (an empty string when not), so the page needs
no knowledge of who reads what.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from zhijiao.core.actor import Actor

logger = logging.getLogger(__name__)

# provider(actor, student_id) -> rendered HTML ("" when the actor may see nothing of it)
PupilPanel = Callable[[Actor, int], str]

_providers: dict[str, PupilPanel] = {}


def pupil_panel_register(name: str, provider: PupilPanel) -> None:
    """Register ``provider`` under ``name`` (registering the same name again replaces it)."""
    _providers[name] = provider


def pupil_panels(actor: Actor, student_id: int) -> list[SafeString]:
    """The rendered panels about the pupil that ``actor`` may see, in registration order. A failing provider is
    logged and left out: a page is never answered with an error because a panel could not be drawn."""
    panels = []
    for name, provider in list(_providers.items()):
        try:
            html = provider(actor, student_id)
        except Exception:
            logger.exception("pupil panel %s failed", name)
            continue
        if html:
            panels.append(mark_safe(html))  # noqa: S308  (providers render templates, autoescaped)
    return panels
