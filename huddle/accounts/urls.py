from django.urls import path

from huddle.accounts import views

org_patterns = [
    path("settings/", views.organization_settings, name="organization_settings"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<uuid:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path(
        "settings/tokens/apps/<int:token_id>/revoke/",
        views.connection_revoke,
        name="connection_revoke",
    ),
    # Every member's tokens and connected apps, for those who manage members; revoking there
    # comes back there.
    path("settings/access/", views.access, name="access"),
    path(
        "settings/access/tokens/<uuid:token_id>/revoke/",
        views.token_revoke,
        {"back": "access"},
        name="access_token_revoke",
    ),
    path(
        "settings/access/apps/<int:token_id>/revoke/",
        views.connection_revoke,
        {"back": "access"},
        name="access_connection_revoke",
    ),
    path("members/", views.members, name="members"),
    path("members/<uuid:member_id>/role/", views.member_role, name="member_role"),
    path("members/<uuid:member_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "invitations/<uuid:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("teams/", views.teams, name="teams"),
    path("teams/<uuid:team_id>/", views.team, name="team"),
    path("teams/<uuid:team_id>/delete/", views.team_delete, name="team_delete"),
    path("activity/", views.activity, name="activity"),
]
