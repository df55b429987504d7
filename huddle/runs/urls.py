from django.urls import path

from huddle.runs import views

org_patterns = [
    path("library/<slug:workflow_slug>/run/", views.run_manual, name="run_manual"),
    path(
        "library/<slug:workflow_slug>/run/direct/", views.run_direct_start, name="run_direct_start"
    ),
    path("runs/", views.runs_index, name="runs_index"),
    path("runs/<uuid:run_id>/direct/", views.run_direct, name="run_direct"),
    path(
        "runs/<uuid:run_id>/direct/step/<int:index>/", views.run_direct_step, name="run_direct_step"
    ),
    path("runs/<uuid:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<uuid:run_id>/rate/", views.run_rate, name="run_rate"),
]
