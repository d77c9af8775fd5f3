"""Declarations' rules as plain Python (DOMAIN.md, "Declarations" and "Payroll 2026").

- ``payslip``: a payslip from a gross salary or back from an employment budget, with
  ``withholding`` (the key formula), ``work_bonus`` and ``special_contribution``;
- ``periods``: declaration periods and their legal deadlines;
- ``intake``: the figures billing's documents bring to each return, and their recording;
- ``ledger``: which return a figure goes to, and a declaration's life (draft, ready,
  submitted, outcome) and deadline alerts;
- ``reports``: what each declaration says, computed from its lines;
- ``store``: the SQL those rules need, and nothing else.

The parameters in force come in as a ``ParameterBook``, the time from ``shared.clock`` or as an
argument. The files handed to the authorities are written by ``services.declarations.xml_export``,
outside the rules.
"""
