"""Run the test OpenID Connect provider: ``python -m tests.sso.idp.serve PORT CLIENT_ID SECRET
REDIRECT_URI...``. Prints ``READY`` once it listens. Its one user is ``alice@acme-corp.com``
with the password ``IDP_PASSWORD``."""

from __future__ import annotations

import os
import sys

from tests.sso.provider import serve

IDP_PASSWORD = "alice-idp-password-1"
ALICE = "alice@acme-corp.com"


def main() -> None:
    port, client_id, secret, *redirect_uris = sys.argv[1:]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.idp.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    User.objects.create_user(
        username=ALICE, email=ALICE, password=IDP_PASSWORD, first_name="Alice", last_name="Ng"
    )
    Application.objects.create(
        name="Huddle",
        client_id=client_id,
        client_secret=secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        # Back to Huddle's login page after its single logout.
        post_logout_redirect_uris=" ".join(
            uri.split("/sso/", 1)[0] + "/accounts/login/" for uri in redirect_uris
        ),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    serve(port, get_wsgi_application())


if __name__ == "__main__":
    main()
