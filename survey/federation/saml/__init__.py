"""SAML 2.0 log-in with pysaml2: our service provider and its key pair (`sp`, `keys`), the
IdPs' pinned metadata (`metadata`, `providers`), the log-in's two legs (`login`), replay
(`replay`) and single logout (`logout`). No Flask here: survey/web/auth/saml_routes.py is
the shell."""
