"""The service layer: one module per concern, called by thin views and CLI commands."""
