"""The acting account, as the layers below identity see it.

The account model lives in identity, several layers up; the registry writes (org, people), the access layer and the
apps above only need these attributes, so they name them in a Protocol that ``identity.models.Account`` and
Django's ``AnonymousUser`` both satisfy. It lives in core so that org and people, below access, can type their
``actor`` too; ``zhijiao.access.types`` re-exports it as the name the apps above access use.
"""

from __future__ import annotations

from typing import Any, Protocol


class Actor(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...


def actor_account_id(actor: Actor | None) -> Any:
    """The account to record as having made a change (a foreign key's id): None for the platform's own jobs
    (``actor=None``) and for anonymous visitors."""
    return actor.pk if actor is not None and actor.is_authenticated else None
