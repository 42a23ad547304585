#!/usr/bin/env python3
"""connect-conformance command client: Python requests through the case's proxy.

The contract (README, "Any client, by command"): read CC_TARGET_URL, CC_PROXY_URL, CC_CA_FILE,
CC_TIMEOUT_MS and, when set, CC_PROXY_USERNAME / CC_PROXY_PASSWORD; print one JSON object:
{"status": N, "body": "..."} for a response, {"error": {"code": "...", "message": "..."}} otherwise.
"""
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
    import requests

    proxy = proxy_url()
    timeout = int(os.environ.get("CC_TIMEOUT_MS", "5000")) / 1000
    try:
        r = requests.get(os.environ["CC_TARGET_URL"], proxies={"http": proxy, "https": proxy}, verify=os.environ["CC_CA_FILE"], timeout=timeout)
        return {"status": r.status_code, "body": r.content.decode("latin-1")}
    except requests.exceptions.Timeout as e:
        return {"error": {"code": "timeout", "message": str(e)}}
    except Exception as e:  # every failure is an observation: its class is the code, its text the evidence
        return {"error": {"code": type(e).__name__, "message": str(e)}}


print(json.dumps(main()))
