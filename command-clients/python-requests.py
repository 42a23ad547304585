#!/usr/bin/env python3
"""connect-conformance command client: Python requests through the case's proxy (contract: cc_contract.py)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cc_contract import proxy_url, report, timeout_s  # noqa: E402

import requests  # noqa: E402


def fetch():
    proxy = proxy_url()
    r = requests.get(os.environ["CC_TARGET_URL"], proxies={"http": proxy, "https": proxy}, verify=os.environ["CC_CA_FILE"], timeout=timeout_s())
    return r.status_code, r.content


report(fetch, requests.exceptions.Timeout)
