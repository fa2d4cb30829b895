"""Log-in through identity providers (OpenID Connect, SAML 2.0): the installation's
configuration (`config`), the protocol-free linking of a provider's claims to our users
(`linking`), and each protocol's checks (`oidc`). No Flask here: survey/web/auth/federated.py
and the protocol routes are the shell."""
