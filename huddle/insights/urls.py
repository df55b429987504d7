from django.urls import path

from huddle.insights import views

org_patterns = [
    path("insights/", views.overview, name="insights_overview"),
    path("insights/members/", views.members, name="insights_members"),
    path("insights/members/<uuid:membership_id>/", views.member, name="insights_member"),
    path("insights/me/", views.me, name="insights_me"),
    path("insights/workflows/", views.workflows, name="insights_workflows"),
    path("insights/flow/", views.knowledge_flow, name="insights_flow"),
    path("insights/phases/", views.phases, name="insights_phases"),
    path("insights/settings/", views.settings_update, name="insights_settings"),
    path("insights/spotlight/", views.spotlight, name="insights_spotlight"),
    path("insights/nudge/<uuid:workflow_id>/", views.nudge, name="insights_nudge"),
]
