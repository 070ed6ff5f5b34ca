"""Python Authlib's OAuth2Session, a real third-party client, runs the code flow with
PKCE, a refresh and a resource call against `authcode serve --rfc --auto-approve`.

Usage: authlib_flow.py BASE_URL CLIENT_ID
Prints "N passed, 0 failed" and exits 0 on success.
"""
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

base, client_id = sys.argv[1], sys.argv[2]
authorize = f"{base}/integrations/oauth2/authorize"
token_url = f"{base}/integrations/oauth2/api/v1/token"
api = f"{base}/attask/api/v15.0/project/search"
checks = 0

def check(condition, what):
    global checks
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        print(f"{checks} passed, 1 failed")
        sys.exit(1)
    checks += 1

session = OAuth2Session(client_id, redirect_uri="http://127.0.0.1:8123/callback", scope="read write",
                        code_challenge_method="S256", token_endpoint_auth_method="none")
verifier = generate_token(48)
url, state = session.create_authorization_url(authorize, code_verifier=verifier)

# The "browser": the server approves at once and redirects back.
answer = requests.get(url, allow_redirects=False, timeout=10)
check(answer.status_code == 302, f"authorize redirects ({answer.status_code})")
location = answer.headers["Location"]
check("code=" in location and f"state={state}" in location, "code and state on the redirect")

token = session.fetch_token(token_url, authorization_response=location, code_verifier=verifier)
check(token["token_type"].lower() == "bearer", "a Bearer token")
check(token.get("refresh_token"), "a refresh token")

response = session.get(api, timeout=10)
check(response.status_code == 200, f"resource call ({response.status_code})")
check(response.json()["subject"] == "dave", "the signed-in subject")

old_refresh = token["refresh_token"]
new_token = session.refresh_token(token_url, refresh_token=old_refresh)
check(new_token["refresh_token"] != old_refresh, "the refresh token rotated")
response = session.get(api, timeout=10)
check(response.status_code == 200, "resource call with the refreshed token")

print(f"{checks} passed, 0 failed")
