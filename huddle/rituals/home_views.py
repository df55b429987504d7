"""The organisation's home page (``/o/<org>/``): what to do today, and a setup checklist for a
new organisation. The data comes from ``rituals.home``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from huddle.accounts.policy import Actor
from huddle.accounts.web import org_view
from huddle.rituals.home import home_for


@org_view()
def organization_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "rituals/home.html", {"home": home_for(actor)})
