"""Django's own 400s (bad Host header, unreadable multipart body) speak JSON on the API."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_a_bad_host_header_on_the_api_gets_a_json_400(client):
    response = client.post(
        "/api/v1/asks", data="{}", content_type="application/json", HTTP_HOST='k"x'
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.django_db
def test_a_multipart_body_without_a_boundary_on_the_api_gets_a_json_400(client):
    response = client.post("/api/v1/asks", data=b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.django_db
def test_a_bad_host_header_on_a_page_gets_the_html_400(client):
    response = client.get("/accounts/login/", HTTP_HOST='k"x')
    assert response.status_code == 400
    assert "can't read what was sent" in response.content.decode()
