"""The service tier: use cases that span capability packages, each one function that owns
its unit of work and is called unchanged by the web, the command line and the tests.
Above every capability package (which never imports it), below the shells (web, cli)."""
