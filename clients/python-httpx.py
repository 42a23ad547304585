#!/usr/bin/env python3
"""connect-conformance command client: Python httpx through the case's proxy (contract: see python-requests.py)."""
import json
import os
from urllib.parse import quote


def proxy_url():
    url = os.environ["CC_PROXY_URL"]
    user = os.environ.get("CC_PROXY_USERNAME")
    if user is None:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{quote(user, safe='')}:{quote(os.environ.get('CC_PROXY_PASSWORD', ''), safe='')}@{rest}"


def main():
    # httpx 0.23 (Debian bookworm) has no setting for the proxy's own TLS: its HTTPS-proxy context is
    # a default one, which trusts SSL_CERT_FILE. Set before import, so both hops trust the case's CA.
    os.environ["SSL_CERT_FILE"] = os.environ["CC_CA_FILE"]
    import httpx

    timeout = int(os.environ.get("CC_TIMEOUT_MS", "5000")) / 1000
    try:
        with httpx.Client(proxies=proxy_url(), verify=os.environ["CC_CA_FILE"], timeout=timeout) as client:
            r = client.get(os.environ["CC_TARGET_URL"])
            return {"status": r.status_code, "body": r.content.decode("latin-1")}
    except httpx.TimeoutException as e:
        return {"error": {"code": "timeout", "message": str(e)}}
    except Exception as e:  # every failure is an observation: its class is the code, its text the evidence
        return {"error": {"code": type(e).__name__, "message": str(e)}}


print(json.dumps(main()))
