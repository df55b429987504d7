"""The SCIM 2.0 endpoint (``/scim/v2/…``): scim2-server speaks the protocol (routing, PATCH as
Entra ID and Okta send it, filters, errors, discovery); this package stores its resources in
Huddle's tables, through ``sso.services``, for the one organisation the bearer token names.

A resource is always looked up inside the token's organisation: an id of another organisation's
person or group is "not found", exactly like an id that does not exist.

- ``protocol``: what Huddle serves (the provider's configuration, User and Group) and the
  protocol steps answered the way Entra ID and Okta expect;
- ``patches``: PATCH bodies as Entra ID sends them, rewritten into what RFC 7644 says;
- ``resources``: rows as SCIM resources and a User resource as what Huddle keeps of a person;
- ``filters``: the lookups a provider makes narrowed in SQL, and the attributes it leaves out;
- ``storage``: the users and groups of one organisation, read and written through the services;
- ``endpoint``: the Django view: the bearer token, the body's size, the answer.
"""
