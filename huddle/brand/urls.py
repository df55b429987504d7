from django.urls import path

from huddle.brand import views

org_patterns = [
    path("brand/check/", views.brand_check_page, name="brand_check"),
]
