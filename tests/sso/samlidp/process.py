"""Start the test SAML identity provider (pysaml2) in a second process."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class SamlIdp:
    url: str
    folder: Path

    @property
    def metadata(self) -> str:
        return (self.folder / "idp.xml").read_text()

    def fault(self, mode: str) -> None:
        """``wrong_audience``, ``expired``, or ``ok``."""
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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "tests.sso.samlidp.serve", str(port), str(folder), sp_entity_id, acs_url),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        seen = []
        for line in process.stdout:  # warnings may come first; stop at READY or at its exit
            if "READY" in line:
                break
            seen.append(line)
        else:
            raise RuntimeError("the test identity provider did not start: " + "".join(seen))
        yield SamlIdp(url=f"http://127.0.0.1:{port}", folder=folder)
    finally:
        process.terminate()
        process.wait(timeout=10)
