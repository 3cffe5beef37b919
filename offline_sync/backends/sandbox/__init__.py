"""The training sandbox: an embedded stock ledger that stands in for Odoo, with Odoo's semantics
for the operations Wardstock uses (see ../shared/odoo-rpc-notes.md)."""
