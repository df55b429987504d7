"""The raw material of every figure: SQL aggregates of the roll-up plus the runs not rolled up.

- ``scope``: whose runs count (an organisation, a team, an identity-provider group) and the
  organisation's workflows as the figures need them (``WorkflowMeta``).
- ``history``: which weeks are read from the roll-up (``MemberWeek``) and which runs live from
  ``Run``, and the cache that keeps the rolled-up part per state of the roll-up.
- ``cells``: per (person, workflow) over the window: profiles, reuse, sharing, workflows.
- ``weeks``: per (person, week) over the window and its lead-in: activity, the divide over
  time, phases.
- ``counts``: what other apps record per person: shares (events), captures, asks, brand scores.
"""
