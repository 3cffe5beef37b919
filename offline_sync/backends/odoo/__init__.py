"""Odoo (17, 18, 19) as an `InventoryBackend`, over JSON-RPC (odoorpc) or JSON-2."""
