#!/usr/bin/env python3
"""connect-conformance command client: Python httpx through the case's proxy (contract: cc_contract.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cc_contract import cookie_jar, proxy_url, report, save_cookies, timeout_s  # noqa: E402

# httpx 0.23 (Debian bookworm) has no setting for the proxy's own TLS: its HTTPS-proxy context is
# a default one, which trusts SSL_CERT_FILE. Set before import, so both hops trust the case's CA.
os.environ["SSL_CERT_FILE"] = os.environ["CC_CA_FILE"]
import httpx  # noqa: E402


def fetch():
    # A case that reads state across its visits: a Client over the case's cookie jar that follows
    # redirects, as a script making several requests would configure it.
    jar = cookie_jar()
    stateful = {"cookies": jar, "follow_redirects": True} if jar is not None else {}
    with httpx.Client(proxies=proxy_url(), verify=os.environ["CC_CA_FILE"], timeout=timeout_s(), **stateful) as client:
        r = client.get(os.environ["CC_TARGET_URL"])
    save_cookies(jar)
    return r.status_code, r.content, str(r.url)


report(fetch, httpx.TimeoutException)
