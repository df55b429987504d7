"""PATCH as Entra ID sends it, rewritten into what RFC 7644 (and scim2-models) understand."""

from __future__ import annotations

import json
import re
from typing import Any

from scim2_models import Address, PatchOp, Resource


def entra_member_removal(body: bytes) -> bytes:
    """Entra ID removes group members as ``{"op": "Remove", "path": "members", "value":
    [{"value": id}]}``; RFC 7644 (and scim2-models) want the member in a filter of the path.
    Rewrite that one form into ``members[value eq "id"]`` operations; leave anything else as
    sent, for the library to judge."""
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return body
    operations = payload.get("Operations") if isinstance(payload, dict) else None
    if not isinstance(operations, list):
        return body
    rewritten: list[Any] = []
    for operation in operations:
        value = operation.get("value") if isinstance(operation, dict) else None
        if (
            isinstance(operation, dict)
            and str(operation.get("op", "")).lower() == "remove"
            and str(operation.get("path", "")).lower() == "members"
            and isinstance(value, list)
            and all(isinstance(v, dict) and isinstance(v.get("value"), str) for v in value)
        ):
            rewritten.extend(
                {"op": "remove", "path": f"members[value eq {json.dumps(v['value'])}]"}
                for v in value
            )
        else:
            rewritten.append(operation)
    payload["Operations"] = rewritten
    return json.dumps(payload).encode()


# Entra ID sets an address field as ``{"op": "Add", "path": "addresses[type eq \"work\"].region"}``
# also when the person has no work address yet; RFC 7644 has no target for that filter.
_ADDRESS_PATH = re.compile(r'^addresses\[type eq "([^"]+)"\]\.\w+$', re.IGNORECASE)


def entra_address_targets(current: Resource[Any], patch_op: PatchOp[Any]) -> None:
    """Give ``current`` an empty address of each type an add or replace sets a field of, so that
    the filter has its target (what Entra ID expects: the address is made)."""
    for operation in patch_op.operations or []:
        match = _ADDRESS_PATH.match(str(operation.path or ""))
        if match is None or str(operation.op.value) not in ("add", "replace"):
            continue
        kind = match[1]
        addresses = list(getattr(current, "addresses", None) or [])
        if not any((a.type or "").lower() == kind.lower() for a in addresses):
            current.addresses = [*addresses, Address(type=kind)]  # type: ignore[attr-defined]
