from django.urls import path

from huddle.context import pack_views, views

urlpatterns = [
    path("", views.context_index, name="context_index"),
    path("new/<str:kind>/", views.context_new, name="context_new"),
    path("uploads/<uuid:job_id>/", views.context_upload_job, name="context_upload_job"),
    path("packs/", pack_views.context_packs, name="context_packs"),
    path("packs/<uuid:pack_id>/", pack_views.context_pack, name="context_pack"),
    path(
        "packs/<uuid:pack_id>/export.<str:fmt>",
        pack_views.context_pack_download,
        name="context_pack_download",
    ),
    path(
        "packs/<uuid:pack_id>/delete/", pack_views.context_pack_delete, name="context_pack_delete"
    ),
    path("<uuid:asset_id>/", views.context_asset, name="context_asset"),
    path("<uuid:asset_id>/edit/", views.context_edit, name="context_edit"),
    path("<uuid:asset_id>/versions/", views.context_versions, name="context_versions"),
    path("<uuid:asset_id>/approve/", views.context_approve, name="context_approve"),
    path("<uuid:asset_id>/archive/", views.context_archive, name="context_archive"),
    path("<uuid:asset_id>/sharing/", views.context_sharing, name="context_sharing"),
    path("<uuid:asset_id>/preview/", views.context_preview, name="context_preview"),
    path("<uuid:asset_id>/table.csv", views.context_table_csv, name="context_table_csv"),
]
