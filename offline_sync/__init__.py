"""The server half of offline sync: outbox, worker and the inventory backends (sandbox and Odoo)."""
