"""SAML IdP metadata published at an address, as a federation publishes it: fetched from
there, checked against the pinned key and kept, so that a log-in still works while the
address does not answer; a copy there with a key nobody pinned is refused and does not
replace the last good copy. (Beside tests/test_saml.py, whose peers it uses.)"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from conftest import make_app, require_program
from saml_idp import TestIdp
from test_saml import Peers, key_files, peers_for  # noqa: F401 - key_files is a fixture

require_program("xmlsec1", "apt-get install -y xmlsec1")  # pysaml2 signs with it


@contextmanager
def served(folder: Path):
    """`folder` over plain HTTP on loopback, as a federation publishes its metadata (the
    app takes http:// only on loopback); yields the base address."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _with_metadata_at(peers: Peers, database: str, tmp_path: Path, source: str) -> Peers:
    """A new app process (nothing cached in memory) whose IdP's metadata is `source`."""
    config = peers.instance / "federation.yaml"
    config.write_text(re.sub(r"metadata: \S+", f"metadata: {source}", config.read_text()))
    app = make_app(database, tmp_path)
    return Peers(app, app.test_client(), peers.idp, peers.instance)


def test_idp_metadata_from_a_url_is_fetched_pinned_and_its_last_good_copy_kept(
    fresh_database,
    tmp_path,
    key_files,  # noqa: F811 - the fixture imported above
):
    """A federation publishes the IdP's metadata at an address: it is fetched from there,
    checked against the pinned key, and kept, so a log-in still works while the address
    does not answer; a copy there with a key nobody pinned is refused, kept copy or not."""
    peers = peers_for(fresh_database, tmp_path, key_files)
    published = tmp_path / "federation-site"
    published.mkdir()
    shutil.copy(peers.instance / "idp.xml", published / "idp.xml")
    (peers.instance / "idp.xml").unlink()  # only the address has it
    kept = peers.instance / "saml" / "idp-region.xml"
    with served(published) as site:
        fetched = _with_metadata_at(peers, fresh_database, tmp_path, f"{site}/idp.xml")
        assert fetched.log_in().status_code == 302 and fetched.logged_in()
        assert kept.read_bytes() == (published / "idp.xml").read_bytes()
    offline = Peers(make_app(fresh_database, tmp_path), None, peers.idp, peers.instance)
    offline.client = offline.app.test_client()
    assert offline.log_in().status_code == 302 and offline.logged_in()  # the kept copy
    good = kept.read_bytes()
    ours = peers.client.get("/auth/saml/metadata").text
    (published / "idp.xml").write_text(TestIdp(key_files["stranger"], ours).metadata())
    with served(published) as site:
        swapped = _with_metadata_at(peers, fresh_database, tmp_path, f"{site}/idp.xml")
        assert swapped.client.get("/login/saml/region").status_code == 503
    assert kept.read_bytes() == good  # the refused copy did not replace the good one
    for each in (fetched, offline, swapped):
        each.app.extensions["survey_engine"].dispose()
    peers.app.extensions["survey_engine"].dispose()
