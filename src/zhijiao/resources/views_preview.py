"""Preview images (``thumb.jpg`` for cards, ``large.jpg`` for the detail page) of a resource's current file.

Looked up through ``selectors.resource_get_for`` like the download: a resource the caller may not see has no
preview either (404, the same answer as a missing one)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from zhijiao.resources.previews import preview_image_for
from zhijiao.resources.serving import harden


def resource_preview(request: HttpRequest, resource_id: int, name: str) -> HttpResponse:
    data = preview_image_for(actor=request.user, resource_id=resource_id, name=name)
    response = HttpResponse(data, content_type="image/jpeg")
    # The URL carries the file's checksum (?v=), so a new version is a new URL; private: scoped content.
    response["Cache-Control"] = "private, max-age=86400"
    harden(response)  # made by the platform from the upload, still a user file: nosniff and the sandbox policy
    return response
