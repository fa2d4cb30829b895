"""Pages for system administrators."""
