"""Who may do what: roles and permissions, password hashing, route guards, HTTP security headers."""
