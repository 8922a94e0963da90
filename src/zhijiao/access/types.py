"""The acting account, as the access layer and the apps above it name it.

The account model lives in identity, a layer above; access only needs a few attributes, named by the ``Actor``
Protocol that ``identity.models.Account`` and Django's ``AnonymousUser`` both satisfy. The Protocol is defined in
``zhijiao.core.actor`` (org and people, below access, type their ``actor`` with it too); this is the name the
domain apps import.
"""

from __future__ import annotations

from zhijiao.core.actor import Actor

__all__ = ["Actor"]
