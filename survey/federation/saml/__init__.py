"""SAML 2.0 log-in with pysaml2: our service provider and its key pair (`sp`, `keys`), the
IdPs' pinned metadata (`metadata`, `providers`), the log-in's two legs (`login`), replay
(`replay`) and single logout (`logout`). No Flask here: survey/web/auth/saml_routes.py is
the shell."""

import warnings

# pysaml2 7.5 names CFB where cryptography deprecated it, and says so on import: on every
# start of the app and the CLI, to people who cannot act on it. Only that warning is
# silenced; the SAML code uses no CFB mode.
warnings.filterwarnings(
    "ignore", message="CFB has been moved", module="saml2.cryptography.symmetric"
)
