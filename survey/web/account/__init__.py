"""The signed-in user's own account: their personal API tokens (survey/web/account/routes.py)."""
