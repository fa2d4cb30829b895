"""Users, roles, log-in (passwords, two-factor codes, lock-out) and the audit log. No Flask:
the web, the command line and the tests call `services` unchanged."""
