#!/usr/bin/env python3
"""connect-conformance command client: Python requests through the case's proxy (contract: cc_contract.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cc_contract import cookie_jar, proxy_url, report, save_cookies, timeout_s  # noqa: E402

import requests  # noqa: E402


def fetch():
    proxy = proxy_url()
    # A case that reads state across its visits: a Session over the case's cookie jar, as a script
    # making several requests would use one (it follows redirects, as requests.get does).
    jar = cookie_jar()
    with requests.Session() as s:
        if jar is not None:
            s.cookies = jar
        r = s.get(os.environ["CC_TARGET_URL"], proxies={"http": proxy, "https": proxy}, verify=os.environ["CC_CA_FILE"], timeout=timeout_s())
    save_cookies(jar)
    return r.status_code, r.content, r.url


report(fetch, requests.exceptions.Timeout)
