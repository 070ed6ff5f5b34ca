"""Plays the user at oidc-provider's development sign-in and consent pages: follows the
authorize URL, submits the login form and the consent form, and finally requests the
redirect back to the app's loopback listener (the code reaches `authcode login`).

Usage: python play_user.py AUTHORIZE_URL USERNAME"""
import re
import sys
from urllib.parse import urljoin

import requests


def main() -> int:
    url, username = sys.argv[1], sys.argv[2]
    session = requests.Session()
    for _ in range(20):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            if "/callback" in url and url.startswith("http://127.0.0.1"):
                requests.get(url, timeout=10)
                return 0
            continue
        page = response.text
        form = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
        if not form:
            print(f"no form at {url}: HTTP {response.status_code}", file=sys.stderr)
            return 1
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2)))
        if 'name="login"' in form.group(2):
            fields.update(login=username, password="any")
        action = urljoin(url, form.group(1))
        response = session.post(action, data=fields, allow_redirects=False, timeout=10)
        if not response.is_redirect:
            print(f"the form at {action} answered HTTP {response.status_code}", file=sys.stderr)
            return 1
        url = urljoin(action, response.headers["location"])
        if "/callback" in url and url.startswith("http://127.0.0.1"):
            requests.get(url, timeout=10)
            return 0
    print("too many steps", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
