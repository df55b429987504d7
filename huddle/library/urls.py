from django.urls import path

from huddle.library import views

org_patterns = [
    path("library/", views.library_index, name="library_index"),
    path("library/new/", views.workflow_new, name="workflow_new"),
    path("library/new/paste/", views.workflow_new_paste, name="workflow_new_paste"),
    path("library/validate/", views.workflow_validate, name="workflow_validate"),
    path("library/<slug:workflow_slug>/", views.workflow_detail, name="workflow_detail"),
    path("library/<slug:workflow_slug>/render/", views.workflow_render, name="workflow_render"),
    path("library/<slug:workflow_slug>/edit/", views.workflow_edit, name="workflow_edit"),
    path(
        "library/<slug:workflow_slug>/assembly/",
        views.workflow_assembly,
        name="workflow_assembly",
    ),
    path("library/<slug:workflow_slug>/diff/", views.workflow_diff, name="workflow_diff"),
    path(
        "library/<slug:workflow_slug>/v/<int:number>/",
        views.workflow_version,
        name="workflow_version",
    ),
    path(
        "library/<slug:workflow_slug>/v/<int:number>/rollback/",
        views.workflow_rollback,
        name="workflow_rollback",
    ),
    path("library/<slug:workflow_slug>/publish/", views.workflow_publish, name="workflow_publish"),
    path("library/<slug:workflow_slug>/endorse/", views.workflow_endorse, name="workflow_endorse"),
    path("library/<slug:workflow_slug>/archive/", views.workflow_archive, name="workflow_archive"),
    path("library/<slug:workflow_slug>/fork/", views.workflow_fork, name="workflow_fork"),
    path("library/<slug:workflow_slug>/star/", views.workflow_star, name="workflow_star"),
]
