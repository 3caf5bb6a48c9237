"""Starts the real test OpenID provider (node-oidc-provider, ``sso/provider/``) for a test
session, and drives its login pages over HTTP as a browser would (for tests without one)."""

import json
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

PROVIDER_DIR = Path(__file__).resolve().parents[3] / "sso" / "provider"
CLIENT_ID = "banhao-test"
CLIENT_SECRET = "banhao-test-secret"  # noqa: S105
PASSWORD = "provider-pass"  # noqa: S105


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen
    log: Path

    def settings(self) -> dict:
        return {
            "BANHAO_OIDC_ISSUER": self.issuer,
            "BANHAO_OIDC_CLIENT_ID": CLIENT_ID,
            "BANHAO_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(folder: Path, *, accounts: list[dict], site: str, ttl: dict | None = None):
    """Start the provider with these accounts for a relying party at ``site`` (its base URL);
    returns once its discovery document answers. Skips when node or its packages are absent
    (``./dev setup`` installs them)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node on PATH: the test OpenID provider needs Node.js (sso/provider)")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("sso/provider has no node_modules: run ./dev setup (npm ci there)")
    port = _free_port()
    config = {
        "port": port,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{site}/sso/callback/"],
                "post_logout_redirect_uris": [f"{site}/sso/logged-out/"],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
            }
        ],
        "accounts": accounts,
        "ttl": ttl or {},
    }
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "provider.json"
    config_path.write_text(json.dumps(config, ensure_ascii=False))
    log = folder / "provider.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own script, our own arguments)
            [node, "provider.mjs", str(config_path)],
            cwd=PROVIDER_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the test OpenID provider exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).is_success:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.terminate()
            raise RuntimeError(f"the test OpenID provider did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return RunningProvider(issuer=issuer, process=process, log=log)


def stop(provider: RunningProvider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()


def account(login: str, acr: str = "loa2", **claims) -> dict:
    claims.setdefault("sub", f"sub-{login}")
    return {"login": login, "password": PASSWORD, "acr": acr, "claims": claims}


def through_provider(browser: httpx.Client, url: str, *, login: str, site: str, rp):
    """Follow the provider's redirects from ``url``, signing in with ``login`` when its form
    asks, until it sends the browser back to the relying party (``rp``, a Django test client
    standing for ``site``); returns that last response of the relying party."""
    password_sent = False
    for _ in range(12):
        if url.startswith(site):
            parts = urlsplit(url)
            return rp.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        response = browser.get(url)
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            continue
        assert response.status_code == 200, response.text[:500]
        if 'data-testid="op-logout"' in response.text:
            return response
        assert 'data-testid="op-login"' in response.text and not password_sent, response.text
        action = response.text.split('action="', 1)[1].split('"', 1)[0]
        posted = browser.post(urljoin(url, action), data={"login": login, "password": PASSWORD})
        password_sent = True
        assert posted.is_redirect, posted.text[:500]
        url = urljoin(url, posted.headers["location"])
    raise AssertionError("the provider kept redirecting")
