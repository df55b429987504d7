"""Start the test SAML identity provider (pysaml2) in a second process."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.sso.provider import provider_process


@dataclass
class SamlIdp:
    url: str
    folder: Path

    @property
    def metadata(self) -> str:
        return (self.folder / "idp.xml").read_text()

    def fault(self, mode: str) -> None:
        """``wrong_audience``, ``expired``, ``partner`` (an unmapped domain), or ``ok``."""
        (self.folder / "mode").write_text(mode)


def _key_and_certificate(folder: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Acme test IdP")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    (folder / "idp.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    (folder / "idp.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


@contextmanager
def running_saml_idp(folder: Path, sp_entity_id: str, acs_url: str) -> Iterator[SamlIdp]:
    _key_and_certificate(folder)
    with provider_process(
        "tests.sso.samlidp.serve",
        *(str(folder), sp_entity_id, acs_url),
        env={"PYTHONWARNINGS": "ignore"},
    ) as url:
        yield SamlIdp(url=url, folder=folder)
