"""Every write of the payments register, one module per family of writes:

- ``places``: the register itself (a unit registers or edits a place; CSV import);
- ``capabilities``: dated, sourced facts about what a place accepts;
- ``inspections``: visits, their findings and the follow-up tasks they open;
- ``reports``: problems reported by the public, and cash-refusal enforcement;
- ``handoff``: passing kept reports to the 12345 hotline (run after commit and retried);
- ``common``: what they share.

Each function runs in one transaction, checks the current state, and writes its audit record
in the same transaction; notifications go through ``notify`` (sent after commit). Callers
import the family module; this package re-exports nothing.
"""
