"""A person logs in through the test OpenID provider in Chromium, as `survey demo --serve
--test-idp` offers it: the log-in page lists the provider, its page offers the people, the
app comes back logged in, and log-out ends at the provider and comes back to our log-in."""

from __future__ import annotations

import pytest
from builders import make_user
from conftest import serve
from test_browser_respond import assert_accessible

from survey.cli.dev_idp import Person, TestProvider

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BOARD = Person("sub-board", "styrelse@test.invalid", "Bo Board")


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def idp():
    provider = TestProvider([BOARD])
    provider.serve()
    yield provider
    provider.shutdown()


@pytest.fixture
def server(tmp_path, idp):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "federation.yaml").write_text(
        "providers:\n"
        "  - id: test-idp\n"
        "    kind: oidc\n"
        "    display_name: Region Testland\n"
        "    oidc:\n"
        f"      issuer: {idp.issuer}\n"
        f"      client_id: {idp.client_id}\n"
        f"      client_secret: {idp.client_secret}\n",
        encoding="utf-8",
    )
    for server in serve(tmp_path):
        idp.redirect_prefixes = [f"{server.url}/login/oidc/"]
        yield server


def test_log_in_and_out_through_the_test_provider(server, idp, page, axe):
    from survey.rounds.associations import create_association

    with server.app.extensions["survey_sessions"]() as session:
        create_association(session, "norrsund", "Norrsunds samordningsförbund")
        session.commit()
        make_user(session, BOARD.email, "board", "norrsund")
    page.goto(server.url + "/login")
    assert_accessible(axe, page)  # the providers' buttons beside the password form
    with page.expect_navigation():
        page.get_by_role("link", name="Region Testland").click()
    assert page.url.startswith(idp.issuer + "/authorize")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Bo Board <{BOARD.email}>").click()
    assert page.url.rstrip("/") == server.url
    assert BOARD.email in page.locator("header").inner_text()
    with page.expect_navigation(url=server.url + "/login"):
        page.get_by_role("button", name="Logga ut").click()
    assert BOARD.email not in page.locator("body").inner_text()
    assert not page.csp_violations and not page.console_errors
