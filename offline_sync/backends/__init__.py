"""Inventory backends: the embedded training sandbox and real Odoo, behind one contract."""
