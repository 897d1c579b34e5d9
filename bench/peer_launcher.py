"""Runs the comparison peer (Airbyte's source-notion 3.2.0) against the emulator.

This file is executed by the PEER's interpreter (`<peer-venv>/bin/python -I peer_launcher.py read ...`), never
imported by the project: it uses only the standard library and `requests`, which the peer's environment has.
`-I` keeps this directory off the peer's sys.path, so nothing of ours can shadow a module of the peer's.

Why a launcher: the peer hard-codes `url_base: https://api.notion.com/v1/` in its manifest, and we must not edit
its installed code. The launcher mounts, on every `requests.Session` the peer creates, a transport adapter for the
prefix `https://api.notion.com/` that rewrites the scheme and host of each outgoing request to the emulator's base
URL and then sends it like the stock adapter. Path, query, body, headers (Notion-Version 2022-06-28, the bearer
token), retries, back-off and concurrency are all the peer's own, untouched.

Alternatives considered: an HTTPS proxy (needs a CA and a forged certificate for api.notion.com in the peer's trust
store plus DNS or CONNECT plumbing: more moving parts for the same effect); a `sitecustomize` in the peer's venv
(would also run inside pip and every other tool of that venv). The adapter changes only where requests go.
"""

import os
import sys

import requests
from requests.adapters import HTTPAdapter

NOTION_ORIGIN = "https://api.notion.com"
EMULATOR_URL_VARIABLE = "NOTION_API_BASE_URL"
# The CDK mounts its own adapters with a pool of 40 connections; ours must not be a narrower pipe than theirs.
CONNECTION_POOL_SIZE = 40


class EmulatorRedirectAdapter(HTTPAdapter):
    """Sends a request meant for api.notion.com to the emulator, changing nothing but scheme and host."""

    def __init__(self, target_origin: str) -> None:
        super().__init__(pool_connections=CONNECTION_POOL_SIZE, pool_maxsize=CONNECTION_POOL_SIZE)
        self._target_origin = target_origin.rstrip("/")

    def send(self, request, **kwargs):  # type: ignore[override]  # passes every argument through
        if request.url.startswith(NOTION_ORIGIN):
            request.url = self._target_origin + request.url[len(NOTION_ORIGIN) :]
        return super().send(request, **kwargs)


def install_redirect(target_origin: str) -> None:
    """Every Session (including requests_cache's CachedSession, a subclass) gets the adapter at creation.

    `Session.mount` keeps longer prefixes first, so the CDK mounting its own adapter on "https://" later does not
    take api.notion.com back.
    """
    original_init = requests.Session.__init__

    def init_with_redirect(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.mount(NOTION_ORIGIN + "/", EmulatorRedirectAdapter(target_origin))

    requests.Session.__init__ = init_with_redirect  # type: ignore[method-assign]  # the point: every Session


def main() -> None:
    target = os.environ.get(EMULATOR_URL_VARIABLE)
    if not target:
        sys.exit(f"peer_launcher: set {EMULATOR_URL_VARIABLE} to the emulator's base URL")
    # The emulator's base URL may or may not carry the /v1 suffix; the peer's paths already start with /v1/.
    target = target.rstrip("/")
    if target.endswith("/v1"):
        target = target[: -len("/v1")]
    install_redirect(target)

    from source_notion.run import run  # the peer's own entry point, imported after the redirect is in place

    sys.argv = ["source-notion", *sys.argv[1:]]
    run()


if __name__ == "__main__":
    main()
