"""The acting account, as the access layer sees it.

The account model lives in identity, a layer above; access only needs these attributes, so it names them in a
Protocol that ``identity.models.Account`` and Django's ``AnonymousUser`` both satisfy.
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
