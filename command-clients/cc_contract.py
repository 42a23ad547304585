"""The command-client contract (README, "Adding a client without TypeScript"), shared by the Python adapters.

Environment in: CC_TARGET_URL, CC_PROXY_URL, CC_CA_FILE, CC_TIMEOUT_MS and, when set,
CC_PROXY_USERNAME / CC_PROXY_PASSWORD. Out: one JSON object on stdout,
{"status": N, "body": "..."} for a response, {"error": {"code": "...", "message": "..."}} otherwise.
"""
import json
import os
from urllib.parse import quote


def proxy_url():
    """CC_PROXY_URL with the case's proxy credentials in it, when it has any."""
    url = os.environ["CC_PROXY_URL"]
    user = os.environ.get("CC_PROXY_USERNAME")
    if user is None:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{quote(user, safe='')}:{quote(os.environ.get('CC_PROXY_PASSWORD', ''), safe='')}@{rest}"


def timeout_s():
    return int(os.environ.get("CC_TIMEOUT_MS", "5000")) / 1000


def report(fetch, timeout_errors):
    """Runs fetch() -> (status, body bytes) and prints the one JSON object: a time-out as "timeout",
    any other failure by its class name (the code), with its text as the evidence."""
    try:
        status, body = fetch()
        out = {"status": status, "body": body.decode("latin-1")}
    except timeout_errors as e:
        out = {"error": {"code": "timeout", "message": str(e)}}
    except Exception as e:  # every failure is an observation
        out = {"error": {"code": type(e).__name__, "message": str(e)}}
    print(json.dumps(out))
