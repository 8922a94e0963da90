"""办事指南 (public): the region's services for families, each with what it needs, how long it takes and where to
start it online. Anyone, signed in or not."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from zhijiao.services import guide, selectors


def services_catalogue(request: HttpRequest) -> HttpResponse:
    groups = [
        (name, [(s, reverse(s.url_name) if s.url_name else "") for s in items])
        for name, items in guide.service_groups()
    ]
    context = {
        "groups": groups,
        "draws": selectors.draws_public_list(limit=12),
        "nav": "catalogue",
    }
    return render(request, "services/catalogue.html", context)
