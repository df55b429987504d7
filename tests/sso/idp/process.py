"""Start the test OpenID Connect provider in a second process, for one test module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.sso.idp.serve import ALICE, IDP_PASSWORD
from tests.sso.provider import provider_process

CLIENT_ID = "huddle-acme"
CLIENT_SECRET = "idp-client-secret-for-tests"


@dataclass
class Idp:
    url: str
    mode_file: Path
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    user: str = ALICE
    password: str = IDP_PASSWORD

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/o/.well-known/openid-configuration"

    def fault(self, mode: str) -> None:
        """Make the next tokens faulty (``wrong_audience``, ``expired``, ``unverified``) or
        correct again (``ok``)."""
        self.mode_file.write_text(mode)


@contextmanager
def running_idp(tmp: Path, redirect_uris: list[str]) -> Iterator[Idp]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    mode_file = tmp / "idp-mode"
    env = {"IDP_DB": str(tmp / "idp.sqlite3"), "IDP_RSA_KEY": pem, "IDP_MODE_FILE": str(mode_file)}
    with provider_process(
        "tests.sso.idp.serve", CLIENT_ID, CLIENT_SECRET, *redirect_uris, env=env
    ) as url:
        yield Idp(url=url, mode_file=mode_file)
