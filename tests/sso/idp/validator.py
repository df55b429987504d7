"""The provider's claims, and the faults a test asks for by writing a word into ``IDP_MODE_FILE``:
``wrong_audience`` (the ID token names another client), ``expired`` (its ``exp`` is past),
``unverified`` (``email_verified`` is false), ``other_domain`` (the address is in a domain no
organisation mapped); anything else is a correct token."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, ClassVar

from oauth2_provider.oauth2_validators import OAuth2Validator


def mode() -> str:
    path = Path(os.environ["IDP_MODE_FILE"])
    return path.read_text().strip() if path.exists() else "ok"


class Validator(OAuth2Validator):
    # Huddle asks for openid, profile and email: give where the person sits with the profile.
    oidc_claim_scope: ClassVar[dict[str, str]] = {
        **OAuth2Validator.oidc_claim_scope,
        "department": "profile",
        "address": "profile",
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "email": "alice@elsewhere-corp.com" if mode() == "other_domain" else user.email,
            "email_verified": mode() != "unverified",
            "name": f"{user.first_name} {user.last_name}".strip(),
            # Custom and standard claims of where the person sits (insights divide by them).
            "department": "Marketing",
            "address": {"region": "EMEA"},
        }

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        fault = mode()
        if fault == "wrong_audience":
            claims["aud"] = "some-other-application"
        elif fault == "expired":
            claims["iat"] = int(time.time()) - 7200
            claims["exp"] = int(time.time()) - 3600
        return claims, expiration_time
