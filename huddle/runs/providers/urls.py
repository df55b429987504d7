from django.urls import path

from huddle.runs.providers import views

org_patterns = [
    path("settings/providers/", views.providers, name="providers"),
    path("settings/providers/<uuid:provider_id>/", views.provider_edit, name="provider_edit"),
    path("settings/providers/<uuid:provider_id>/test/", views.provider_test, name="provider_test"),
    path(
        "settings/providers/<uuid:provider_id>/delete/",
        views.provider_delete,
        name="provider_delete",
    ),
]
