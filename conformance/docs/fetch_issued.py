"""Gets a document the running platform issued, the way a citizen does: signs in as the demo
citizen with the portal's own forms (CSRF tokens, cookies), applies for a resident registration
certificate, and downloads the signed PDF. Standard library only.

    python fetch_issued.py BASE_URL OUT.pdf
"""
import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

base, out = sys.argv[1].rstrip("/"), sys.argv[2]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def get(path):
    with opener.open(base + path) as r:
        return r.read().decode()


def post(page, path, fields):
    token = re.search(r'name="csrf_token" value="([^"]+)"', get(page)).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
    try:
        opener.open(urllib.request.Request(base + path, data=data))
    except urllib.error.HTTPError as e:
        if e.code == 303:
            return e.headers["Location"]
        raise SystemExit(f"POST {path}: {e.code} {e.read()[:500]!r}")
    raise SystemExit(f"POST {path}: expected a redirect")


post("/sign-in", "/sign-in", {"email": "citizen@demo.dasan.example", "password": "dasan-demo-2026"})
service = "/services/resident-registration-certificate"
step = post(service, service + "/apply", {})
check = post(step, step, {"use": "submission"})
application = post(check, check.replace("/check", "/submit"), {})
page = get(application)
href = re.search(r'href="(/applications/[^"]+/documents/[0-9-]+)"', page).group(1)
with opener.open(base + href) as r:
    assert r.headers["Content-Type"] == "application/pdf", r.headers["Content-Type"]
    open(out, "wb").write(r.read())
print(f"{href}: {out}")
