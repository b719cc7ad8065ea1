#!/usr/bin/env python3
"""A first pconn call using only Python's standard library (urllib).

    PCONN_URL=http://127.0.0.1:8080 PCONN_CLIENT_ID=... PCONN_CLIENT_SECRET=... python3 first_call.py

Optional: PCONN_CAMPAIGN (default sandbox-demo) and PCONN_TO (default +12125550100, a sandbox
number that answers at once). Exits 0 when the call completed.
"""
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

URL = os.environ.get("PCONN_URL", "http://127.0.0.1:8080").rstrip("/")
CAMPAIGN = os.environ.get("PCONN_CAMPAIGN", "sandbox-demo")
TO = os.environ.get("PCONN_TO", "+12125550100")
TERMINAL = {"completed", "failed", "canceled", "blocked"}


def request(method, path, token=None, body=None, headers=None):
    """Sends a request; on an error prints the problem's title, detail, pointers and hints."""
    data = None
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    req = urllib.request.Request(URL + path, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        problem = json.load(error)
        print(f"{problem.get('title')} ({problem.get('code')}): {problem.get('detail')}", file=sys.stderr)
        for item in problem.get("errors", []):
            print(f"  {item['pointer']}: {item['detail']} {item.get('hint', '')}", file=sys.stderr)
        sys.exit(1)


def access_token():
    """OAuth 2.0 client credentials with HTTP Basic client authentication."""
    credentials = f"{os.environ['PCONN_CLIENT_ID']}:{os.environ['PCONN_CLIENT_SECRET']}"
    basic = base64.b64encode(credentials.encode()).decode()
    form = urllib.parse.urlencode({"grant_type": "client_credentials"}).encode()
    req = urllib.request.Request(URL + "/oauth/token", data=form, method="POST",
                                 headers={"Authorization": f"Basic {basic}"})
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.load(response)["access_token"]


def main():
    token = access_token()
    call = request(
        "POST", f"/v1/campaigns/{CAMPAIGN}/calls", token,
        body={"contact": {"externalId": "example-python",
                          "phoneNumbers": [{"phoneType": "mobile", "number": TO}]},
              "reason": "first call (python)"},
        # A retried POST with the same key never creates a second call.
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    print(f"call {call['id']} queued")
    last = None
    for _ in range(600):
        status = request("GET", f"/v1/calls/{call['id']}", token)["status"]
        if status != last:
            print(f"status: {status}")
            last = status
        if status in TERMINAL:
            break
        time.sleep(0.2)
    sys.exit(0 if last == "completed" else 1)


if __name__ == "__main__":
    main()
