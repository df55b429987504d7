"""Start the test OpenID Connect provider in a second process, for one test module."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.sso.idp.serve import ALICE, IDP_PASSWORD

ROOT = Path(__file__).resolve().parents[3]
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_idp(tmp: Path, redirect_uris: list[str]) -> Iterator[Idp]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    port = _free_port()
    mode_file = tmp / "idp-mode"
    env = {
        **os.environ,
        "IDP_DB": str(tmp / "idp.sqlite3"),
        "IDP_RSA_KEY": pem,
        "IDP_MODE_FILE": str(mode_file),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            *("-m", "tests.sso.idp.serve", str(port), CLIENT_ID, CLIENT_SECRET),
            *redirect_uris,
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
        yield Idp(url=f"http://127.0.0.1:{port}", mode_file=mode_file)
    finally:
        process.terminate()
        process.wait(timeout=10)
