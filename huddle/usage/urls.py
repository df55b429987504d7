from django.urls import path

from huddle.usage import views

org_patterns = [
    path("usage/imports/", views.usage_imports, name="usage_imports"),
    path("usage/imports/<uuid:import_id>/", views.usage_import, name="usage_import"),
]
