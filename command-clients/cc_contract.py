"""The command-client contract (README, "Adding a client without TypeScript"), shared by the Python adapters.

Environment in: CC_TARGET_URL, CC_PROXY_URL, CC_CA_FILE, CC_TIMEOUT_MS and, when set,
CC_PROXY_USERNAME / CC_PROXY_PASSWORD and CC_STATE_DIR (a folder of the case's own, for cases that
read state across their visits: keep cookies there between visits). Out: one JSON object on stdout,
{"status": N, "body": "...", "url": "<where it ended>"} for a response,
{"error": {"code": "...", "message": "..."}} otherwise.

With --serve (the persistent mode): one process for many visits. Each line on stdin is a JSON
object of one visit's variables, set into the environment for that visit (those it lacks, such as
credentials, are removed), and each answer is one line on stdout that carries the visit's
CC_VISIT (the harness's nonce for it) as "visit", so an answer can never be taken for another
visit's. Python's start-up and imports are paid once per worker instead of once per visit.
"""
import json
import os
import sys
from urllib.parse import quote

VISIT_VARIABLES = ("CC_TARGET_URL", "CC_TIMEOUT_MS", "CC_CASE_ID", "CC_VISIT", "CC_PROXY_USERNAME", "CC_PROXY_PASSWORD", "CC_STATE_DIR")


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


def cookie_jar():
    """The case's cookie jar in CC_STATE_DIR (loaded if an earlier visit saved it), or None when the
    case keeps no state: save it with save_cookies() after the visit."""
    state = os.environ.get("CC_STATE_DIR")
    if not state:
        return None
    from http.cookiejar import MozillaCookieJar

    jar = MozillaCookieJar(os.path.join(state, "cookies.txt"))
    if os.path.exists(jar.filename):
        jar.load(ignore_discard=True, ignore_expires=True)
    return jar


def save_cookies(jar):
    if jar is not None:
        jar.save(ignore_discard=True, ignore_expires=True)


def outcome(fetch, timeout_errors):
    """Runs fetch() -> (status, body bytes[, final url]) and gives the one JSON object: a time-out as
    "timeout", any other failure by its class name (the code), with its text as the evidence."""
    try:
        status, body, *url = fetch()
        return {"status": status, "body": body.decode("latin-1"), **({"url": url[0]} if url else {})}
    except timeout_errors as e:
        return {"error": {"code": "timeout", "message": str(e)}}
    except Exception as e:  # every failure is an observation
        return {"error": {"code": type(e).__name__, "message": str(e)}}


def run(visit):
    """The adapter's entry point: visit() -> the JSON object, once (one-shot) or per stdin line (--serve)."""
    if "--serve" not in sys.argv[1:]:
        print(json.dumps(visit()))
        return
    for line in sys.stdin:
        if not line.strip():
            continue
        for name in VISIT_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(json.loads(line))
        sys.stdout.write(json.dumps({**visit(), "visit": os.environ.get("CC_VISIT", "")}) + "\n")
        sys.stdout.flush()


def report(fetch, timeout_errors):
    """run() for adapters whose visit is one fetch()."""
    run(lambda: outcome(fetch, timeout_errors))
