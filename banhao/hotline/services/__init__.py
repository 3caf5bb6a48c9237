"""Every write of the hotline, one module per family of writes (as Zulip's ``zerver/actions``):

- ``intake``: taking in a ticket from any channel (``register_ticket`` with a ``TicketIntake``),
  the repeat check, answering a consultation on the call;
- ``handling``: dispatch, accept, return, extension, reply, callback, reopen;
- ``rulings``: three-party rulings (三方联动) and referral to discipline inspection;
- ``supervision``: the supervision ladder and its rules, the head's callback, contact grants;
- ``duty``: the duty list;
- ``common``: what they share (locking, events, audit, daily facts, notifications).

Each function runs in one transaction, locks the ticket, checks its state (states.check raises
TransitionRefused), writes a TicketEvent and an audit record, keeps the per-unit daily facts
(UnitDayFact) up to date, and queues notifications that go out after commit.

Callers import the family module (``from banhao.hotline.services.intake import ...``); this
package re-exports nothing, so importing one family does not load the others.
"""
