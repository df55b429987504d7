"""A real SAML 2.0 identity provider for the tests: pysaml2's ``Server``, in its own process.

``python -m tests.sso.samlidp.serve PORT DIR SP_ENTITY_ID ACS_URL`` writes its metadata to
``DIR/idp.xml`` and prints ``READY``. Its sign-in page asks for a user name and password (its
one person is ``alice@acme-corp.com`` with ``PASSWORD``) and answers with a page whose button
posts the signed response to the service provider, as HTTP-POST binding does. ``DIR/mode`` may
ask for a fault: ``wrong_audience`` (the assertion is for another service provider),
``expired`` (its validity ended an hour ago) or ``partner`` (it names the person by an address
of another company, ``PARTNER``).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path
from urllib.parse import parse_qs

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from tests.sso.provider import serve

ALICE = "alice@acme-corp.com"
PARTNER = "alice@partner-agency.example"
PASSWORD = "alice-saml-password-1"
OTHER_SP = "https://another-service.example.com/saml"


def _sp_metadata(entity_id: str, acs_url: str) -> str:
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"
      AuthnRequestsSigned="false" WantAssertionsSigned="true">
    <md:NameIDFormat>{NAMEID_FORMAT_EMAILADDRESS}</md:NameIDFormat>
    <md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" Location="{acs_url}" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"""


def _server(base: str, folder: Path, sp_entity_id: str, acs_url: str, minutes: int) -> Server:
    (folder / "sp.xml").write_text(_sp_metadata(sp_entity_id, acs_url))
    # Another service provider with the same ACS URL: what a wrong-audience assertion is for.
    (folder / "other-sp.xml").write_text(_sp_metadata(OTHER_SP, acs_url))
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{base}/idp",
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": str(folder / "idp.key"),
            "cert_file": str(folder / "idp.crt"),
            "metadata": {"local": [str(folder / "sp.xml"), str(folder / "other-sp.xml")]},
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_REDIRECT)]
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": minutes},
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                    "want_authn_requests_signed": False,
                }
            },
        }
    )
    return Server(config=config)


def main() -> None:
    port, folder_name, sp_entity_id, acs_url = sys.argv[1:]
    folder = Path(folder_name)
    base = f"http://127.0.0.1:{port}"

    def mode() -> str:
        path = folder / "mode"
        return path.read_text().strip() if path.exists() else "ok"

    idp = _server(base, folder, sp_entity_id, acs_url, 5)
    (folder / "idp.xml").write_text(str(entity_descriptor(idp.config)))

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("REQUEST_METHOD") == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            query = parse_qs(environ["wsgi.input"].read(size).decode())
        else:
            query = parse_qs(environ.get("QUERY_STRING", ""))
        if environ.get("PATH_INFO") != "/sso" or "SAMLRequest" not in query:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        saml_request = query["SAMLRequest"][0]
        relay = query.get("RelayState", [""])[0]
        signed_in = query.get("username") == [ALICE] and query.get("password") == [PASSWORD]
        if not signed_in:
            error = "Wrong user name or password." if "username" in query else ""
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [_login_page(saml_request, relay, error).encode()]
        fault = mode()
        server = _server(base, folder, sp_entity_id, acs_url, -60 if fault == "expired" else 5)
        request = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        args = server.response_args(request.message, [BINDING_HTTP_POST])
        if fault == "wrong_audience":
            args["sp_entity_id"] = OTHER_SP
        email = PARTNER if fault == "partner" else ALICE
        response = server.create_authn_response(
            {
                "email": [email],
                "givenName": ["Alice"],
                "sn": ["Ng"],
                "departmentNumber": ["Brand"],
                "st": ["APAC"],  # stateOrProvinceName: the region
            },
            userid=email,
            authn={
                "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            },
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            sign_assertion=True,
            sign_response=True,
            sign_alg=SIG_RSA_SHA256,  # Huddle refuses SHA-1 signatures (deprecated)
            digest_alg=DIGEST_SHA256,
            **args,
        )
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme SAML</title></head><body><h1>Signed in at Acme</h1>
<form method="post" action="{html.escape(args["destination"])}">
<input type="hidden" name="SAMLResponse" value="{html.escape(_b64(str(response)))}">
<input type="hidden" name="RelayState" value="{html.escape(relay)}">
<button type="submit">Continue to Huddle</button></form></body></html>"""
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    serve(port, app)


def _login_page(saml_request: str, relay: str, error: str) -> str:
    """The provider's sign-in form; it carries the service provider's request along."""
    alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme SAML</title></head><body><h1>Acme SAML sign-in</h1>{alert}
<form method="post" action="/sso">
<input type="hidden" name="SAMLRequest" value="{html.escape(saml_request)}">
<input type="hidden" name="RelayState" value="{html.escape(relay)}">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in to Acme</button></form></body></html>"""


def _b64(xml: str) -> str:
    import base64

    return base64.b64encode(xml.encode()).decode()


if __name__ == "__main__":
    main()
