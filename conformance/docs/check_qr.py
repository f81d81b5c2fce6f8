#!/usr/bin/env python3
"""Verify a Dasan QR seal with libraries Dasan did not write.

Usage: check_qr.py PAYLOAD_FILE TRUST_LIST.jws

Takes the document-signing certificates from the trust list (whose own signature
conformance/pki/verify_trust_list.py checks), then with base45, zlib, pycose and
cryptography: strips "DSN1:", Base45-decodes, inflates, decodes the COSE_Sign1, picks the
certificate whose SHA-256 starts with the kid, verifies the ES256 signature and prints the
claims. A copy with one changed character must fail. Exits 1 on any failure.
"""

import base64
import hashlib
import json
import sys
import zlib

import base45
import cbor2
from pycose.keys import EC2Key
from pycose.keys.curves import P256
from pycose.messages import Sign1Message
from cryptography import x509


def trusted_certs(jws_path):
    payload = open(jws_path).read().strip().split(".")[1]
    payload += "=" * (-len(payload) % 4)
    listing = json.loads(base64.urlsafe_b64decode(payload))
    certs = []
    for e in listing["entries"]:
        if e["purpose"] == "document-signing" and e["status"] != "revoked":
            certs.append(base64.b64decode(e["certificate_chain"][0]))
    return certs


def verify(text, certs):
    if not text.startswith("DSN1:"):
        raise ValueError("no DSN1: prefix")
    cose = zlib.decompress(base45.b45decode(text[5:]))
    msg = Sign1Message.decode(cose)
    kid = msg.phdr.get(4) or msg.phdr.get("KID")
    if kid is None:
        for k, v in msg.phdr.items():
            if getattr(k, "identifier", None) == 4:
                kid = v
    for der in certs:
        if hashlib.sha256(der).digest()[:8] != kid:
            continue
        pub = x509.load_der_x509_certificate(der).public_key().public_numbers()
        msg.key = EC2Key(crv=P256, x=pub.x.to_bytes(32, "big"), y=pub.y.to_bytes(32, "big"))
        if msg.verify_signature():
            return cbor2.loads(msg.payload)
        raise ValueError("signature does not verify")
    raise ValueError("kid %s not in the trust list" % kid.hex())


def main():
    text = open(sys.argv[1]).read().strip()
    certs = trusted_certs(sys.argv[2])
    claims = verify(text, certs)
    doc = claims[-65537]
    print("  pycose: ES256 signature valid; iss=%s type=%s no=%s subject=%s" % (claims[1], doc["t"], doc["n"], doc["sn"]))
    i = len(text) // 2
    changed = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:]
    try:
        verify(changed, certs)
    except Exception as e:  # noqa: BLE001 - any failure is the expected outcome
        print("  pycose: a changed character is refused (%s)" % type(e).__name__)
    else:
        print("  FAIL: a changed payload verified")
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        print("  FAIL: %s: %s" % (type(e).__name__, e))
        sys.exit(1)
