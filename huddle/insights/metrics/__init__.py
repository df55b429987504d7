"""Insights figures, computed from SQL aggregates of the weekly roll-up (see ``report``)."""
