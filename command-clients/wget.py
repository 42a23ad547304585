#!/usr/bin/env python3
"""connect-conformance command client: GNU wget through the case's proxy (contract: cc_contract.py).

wget reaches a proxy only over plain HTTP (no TLS to the proxy), so it runs in the h1 column.
Its outcome is its exit status ("wget exit N": 4 network failure, 5 TLS, 8 an error response)
with its own message; on success, the status of the last response it printed and the body.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cc_contract  # noqa: E402


def main():
    timeout = max(1, int(os.environ.get("CC_TIMEOUT_MS", "5000")) // 1000)
    proxy = os.environ["CC_PROXY_URL"]
    cmd = [
        "wget", "--quiet", "--server-response", "--output-document=-", "--tries=1", f"--timeout={timeout}",
        "-e", "use_proxy=yes", "-e", f"https_proxy={proxy}", "-e", f"http_proxy={proxy}",
        f"--ca-certificate={os.environ['CC_CA_FILE']}",
    ]
    if "CC_PROXY_USERNAME" in os.environ:
        cmd += [f"--proxy-user={os.environ['CC_PROXY_USERNAME']}", f"--proxy-password={os.environ.get('CC_PROXY_PASSWORD', '')}"]
    run = subprocess.run(cmd + [os.environ["CC_TARGET_URL"]], capture_output=True, timeout=timeout + 3)
    log = run.stderr.decode("latin-1")
    if run.returncode != 0:
        return {"error": {"code": f"wget exit {run.returncode}", "message": log.strip() or f"exit {run.returncode}"}}
    statuses = re.findall(r"^\s*HTTP/\d(?:\.\d)? (\d{3})", log, re.M)
    return {"status": int(statuses[-1]) if statuses else 200, "body": run.stdout.decode("latin-1")}


def visit():
    try:
        return main()
    except subprocess.TimeoutExpired as e:
        return {"error": {"code": "timeout", "message": str(e)}}


cc_contract.run(visit)
