from django.urls import path

from huddle.rituals import home_views, views

org_patterns = [
    path("", home_views.organization_home, name="organization_home"),
    path("wins/", views.wins_index, name="wins_index"),
    path("wins/nominate/", views.win_nominate, name="win_nominate"),
    path("wins/<uuid:win_id>/vote/", views.win_vote, name="win_vote"),
    path("wins/<uuid:win_id>/choose/", views.win_choose, name="win_choose"),
    path("wins/settings/", views.ritual_settings, name="ritual_settings"),
    path("wins/digest/", views.digest_current, name="digest_current"),
    path("wins/digest/<str:week>/", views.digest_detail, name="digest_detail"),
    path("wins/digest/<str:week>/send/", views.digest_send, name="digest_send"),
    path(
        "wins/digest/<str:week>/deliveries/<int:delivery_id>/retry/",
        views.delivery_retry,
        name="delivery_retry",
    ),
    path("asks/", views.asks_index, name="asks_index"),
    path("asks/solve/<str:token>/", views.ask_solve_link, name="ask_solve_link"),
    path("asks/<uuid:ask_id>/answer/", views.ask_answer, name="ask_answer"),
    path("asks/<uuid:ask_id>/solve/", views.ask_solve, name="ask_solve"),
]
