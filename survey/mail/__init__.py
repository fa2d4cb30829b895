"""E-mail invitations and reminders: addresses, texts, the outbox and the SMTP worker.

Sending never happens in a web request: pages and services only queue messages in the
database, and `survey mail send` (once, or `--watch`) works the queue off (README, "E-mail
invitations and reminders").
"""
