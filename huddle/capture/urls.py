from django.urls import path

from huddle.capture import import_views, views

org_patterns = [
    path("captures/", views.capture_index, name="capture_index"),
    path("captures/new/", views.capture_new, name="capture_new"),
    path("captures/<uuid:capture_id>/", views.capture_detail, name="capture_detail"),
    path("captures/<uuid:capture_id>/edit/", views.capture_edit, name="capture_edit"),
    path("captures/<uuid:capture_id>/share/", views.capture_share, name="capture_share"),
    path("captures/<uuid:capture_id>/delete/", views.capture_delete, name="capture_delete"),
    path("captures/<uuid:capture_id>/promote/", views.capture_promote, name="capture_promote"),
    path(
        "captures/<uuid:capture_id>/promote/preview/",
        views.capture_promote_preview,
        name="capture_promote_preview",
    ),
    path("captures/import/", import_views.import_new, name="import_new"),
    path("captures/imports/<uuid:job_id>/", import_views.import_job, name="import_job"),
    path("captures/patterns/", import_views.pattern_index, name="pattern_index"),
    path("captures/patterns/mine/", import_views.pattern_mine, name="pattern_mine"),
    path(
        "captures/patterns/mining/<uuid:job_id>/",
        import_views.pattern_mining,
        name="pattern_mining",
    ),
    path(
        "captures/patterns/<uuid:pattern_id>/",
        import_views.pattern_detail,
        name="pattern_detail",
    ),
    path(
        "captures/patterns/<uuid:pattern_id>/promote/",
        import_views.pattern_promote,
        name="pattern_promote",
    ),
]
