"""Declarations' rules (DOMAIN.md, "Declarations" and "Payroll 2026"): pure functions on a parameter book."""
