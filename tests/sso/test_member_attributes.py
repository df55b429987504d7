"""Where a person sits in the company (department, division, cost center, region), as the
identity provider says it: from SCIM's enterprise extension and work address, kept current by
PUT and by the PATCH paths Entra ID and Okta send, and from sign-in assertions."""

from __future__ import annotations

import pytest

from huddle.core.models import Event
from huddle.sso.models import MemberAttributes
from huddle.sso.services import member_attributes_set
from tests.factories import UserFactory
from tests.sso.test_scim_sequences import ENTERPRISE, entra_user, okta_user


def _attributes(email: str) -> dict[str, str]:
    row = MemberAttributes.objects.get(user__email__iexact=email)
    return {name: getattr(row, name) for name in MemberAttributes.FIELDS}


def test_entra_sends_department_division_cost_center_and_work_region(db, scim):
    body = entra_user(
        addresses=[
            {"type": "home", "region": "Bavaria"},
            {"type": "work", "region": "EMEA", "country": "DE"},
        ]
    )
    body[ENTERPRISE] = {"department": "Marketing", "division": "Brand", "costCenter": "CC-42"}
    assert scim.post("/Users", body).status_code == 201
    assert _attributes(body["userName"]) == {
        "department": "Marketing",
        "division": "Brand",
        "cost_center": "CC-42",
        "region": "EMEA",
    }


def test_entra_patch_paths_change_department_and_region(db, scim, org):
    user_id = scim.post("/Users", entra_user()).json()["id"]
    response = scim.patch(
        f"/Users/{user_id}",
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Legal"},
        {"op": "Add", "path": 'addresses[type eq "work"].region', "value": "APAC"},
    )
    assert response.status_code == 200, response.content
    assert response.json()[ENTERPRISE]["department"] == "Legal"
    attributes = _attributes("Test_User_ab6490ee@contoso.com")
    assert (attributes["department"], attributes["region"]) == ("Legal", "APAC")
    event = Event.objects.filter(organization=org, kind="scim.user_updated").latest("id")
    assert {"department", "region"} <= set(event.data["changed"])


def test_okta_put_without_the_extension_clears_the_department(db, scim):
    body = okta_user()
    body["schemas"].append(ENTERPRISE)
    body[ENTERPRISE] = {"department": "Sales"}
    user_id = scim.post("/Users", body).json()["id"]
    assert _attributes(body["userName"])["department"] == "Sales"
    replaced = okta_user()
    replaced["id"] = user_id
    replaced["addresses"] = [{"primary": True, "region": "North America"}]
    assert scim.put(f"/Users/{user_id}", replaced).status_code == 200
    assert _attributes(body["userName"]) == {
        "department": "",
        "division": "",
        "cost_center": "",
        "region": "North America",
    }


def test_deprovisioning_forgets_the_attributes(db, scim):
    user_id = scim.post("/Users", entra_user()).json()["id"]
    assert MemberAttributes.objects.exists()
    assert scim.delete(f"/Users/{user_id}").status_code == 204
    assert not MemberAttributes.objects.exists()


def test_a_sign_in_fills_only_the_fields_it_carries(db, org):
    user = UserFactory()
    member_attributes_set(
        organization=org,
        user=user,
        attributes={"department": "Legal", "region": "EMEA"},
        complete=True,
    )
    changed = member_attributes_set(
        organization=org, user=user, attributes={"region": "APAC", "department": ""}, complete=False
    )
    assert changed == ["region"]
    row = MemberAttributes.objects.get(organization=org, user=user)
    assert (row.department, row.region) == ("Legal", "APAC")


@pytest.mark.parametrize("attributes", [{}, {"department": "  "}])
def test_nothing_to_say_writes_no_row(db, org, attributes):
    user = UserFactory()
    assert (
        member_attributes_set(organization=org, user=user, attributes=attributes, complete=True)
        == []
    )
    assert not MemberAttributes.objects.exists()
