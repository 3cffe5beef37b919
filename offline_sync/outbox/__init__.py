"""The server outbox: commands from devices kept durably and driven into the backend by workers."""
