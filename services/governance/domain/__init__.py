"""Governance rules (DOMAIN.md, "Governance"): plain functions taking a Session and plain data."""
