#!/usr/bin/env python3
"""Verify a Dasan trust list with tools Dasan did not write.

Usage: verify_trust_list.py TRUST_LIST.jws ROOT.pem

The trust list is a compact JWS (RFC 7515) whose `x5c` header holds the signer's certificate
chain. This script, using only `cryptography` (X.509) and `jwcrypto` (JOSE):

1. checks the x5c chain up to the pinned root (names, signatures, validity, CA flags),
2. checks the signer certificate has the id-tsl-kp-tslSigning EKU (ETSI TS 119 612),
3. verifies the JWS signature with the signer's public key,
4. checks every listed entry: its SPKI matches the leaf of its own certificate chain, its
   fingerprint matches, and the chain verifies (to the platform root, or to the ICAO CSCA for
   document signers),
5. checks that a tampered copy is rejected.

Prints one line per check; exits 1 on the first failure.
"""

import base64
import datetime
import hashlib
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ObjectIdentifier
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

TSL_SIGNING = ObjectIdentifier("0.4.0.2231.3.0")
JWS_TYP = "dasan-trust-list+json"


def fail(message):
    print(f"  FAIL {message}")
    sys.exit(1)


def ok(message):
    print(f"  ok   {message}")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def check_chain(chain, anchor, now, what):
    """chain: leaf first; anchor: trusted certificate the last element is issued by."""
    if der(chain[-1]) == der(anchor):
        chain = chain[:-1]
    for child, parent in zip(chain, chain[1:] + [anchor]):
        try:
            child.verify_directly_issued_by(parent)
        except Exception as e:  # noqa: BLE001 - report any verification failure
            fail(f"{what}: {child.subject.rfc4514_string()} not issued by "
                 f"{parent.subject.rfc4514_string()}: {e!r}")
        bc = parent.extensions.get_extension_for_class(x509.BasicConstraints).value
        if not bc.ca:
            fail(f"{what}: issuer {parent.subject.rfc4514_string()} is not a CA")
    for cert in chain + [anchor]:
        if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
            fail(f"{what}: {cert.subject.rfc4514_string()} not valid now")


def verify(token, root, now):
    parts = token.split(".")
    if len(parts) != 3:
        fail("not a compact JWS")
    header = json.loads(b64url_decode(parts[0]))
    if header.get("typ") != JWS_TYP:
        fail(f"typ is {header.get('typ')!r}")
    chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    check_chain(chain, root, now, "x5c")
    ok(f"x5c chain of {len(chain)} certificates verifies to the pinned root")

    signer = chain[0]
    eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    if TSL_SIGNING not in list(eku):
        fail("signer certificate lacks id-tsl-kp-tslSigning")
    ok(f"signer {signer.subject.rfc4514_string()} has EKU id-tsl-kp-tslSigning")

    key = jwk.JWK.from_pyca(signer.public_key())
    obj = jws.JWS()
    obj.deserialize(token)
    try:
        obj.verify(key, alg=header["alg"])
    except JWException as e:
        fail(f"JWS signature: {e!r}")
    ok(f"JWS {header['alg']} signature verifies (jwcrypto)")
    return json.loads(obj.payload)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    token = open(sys.argv[1], encoding="ascii").read().strip()
    root = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
    now = datetime.datetime.now(datetime.timezone.utc)

    payload = verify(token, root, now)
    if payload.get("type") != "dasan-trust-list" or payload.get("version") != 1:
        fail("payload is not a version 1 Dasan trust list")
    next_update = datetime.datetime.fromisoformat(payload["next_update"].replace("Z", "+00:00"))
    if now > next_update:
        fail(f"trust list expired at {payload['next_update']}")
    ok(f"payload: sequence {payload['sequence']}, next update {payload['next_update']}")

    for entry in payload["entries"]:
        what = f"entry {entry['key_id']} ({entry['purpose']})"
        chain = [x509.load_der_x509_certificate(base64.b64decode(c))
                 for c in entry["certificate_chain"]]
        spki = chain[0].public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        if base64.b64decode(entry["spki"]) != spki:
            fail(f"{what}: spki differs from its certificate")
        if hashlib.sha256(spki).hexdigest() != entry["spki_sha256"]:
            fail(f"{what}: spki_sha256 wrong")
        if entry["purpose"] == "icao-document-signer":
            csca = chain[-1]
            csca.verify_directly_issued_by(csca)  # self-signed CSCA
            check_chain(chain[:-1], csca, now, what)
        else:
            check_chain(chain, root, now, what)
        if entry["status"] != "active":
            fail(f"{what}: status {entry['status']}")
    ok(f"all {len(payload['entries'])} entries: SPKI, fingerprint and chain check out")

    # A modified payload with the original signature must be rejected.
    parts = token.split(".")
    tampered_payload = dict(payload)
    tampered_payload["sequence"] = payload["sequence"] + 1
    forged = ".".join([
        parts[0],
        base64.urlsafe_b64encode(json.dumps(tampered_payload).encode()).rstrip(b"=").decode(),
        parts[2],
    ])
    try:
        verify_quietly = jws.JWS()
        verify_quietly.deserialize(forged)
        verify_quietly.verify(jwk.JWK.from_pyca(
            x509.load_der_x509_certificate(
                base64.b64decode(json.loads(b64url_decode(parts[0]))["x5c"][0])
            ).public_key()))
    except JWException:
        ok("a tampered trust list is rejected")
    else:
        fail("a tampered trust list verified")


if __name__ == "__main__":
    main()
