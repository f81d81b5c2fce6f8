"""Checks a chip image made by dasan-mrtd's factory with asn1crypto + cryptography alone.

    check_sod.py CASE_DIR CSCA_DER CRL_DER YYYY-MM-DD EXPECT

Parses EF.SOD (CMS SignedData over the LDSSecurityObject), checks the signed attributes
(content type, message digest), the signature with the embedded document signer's key, each
data group's hash, DG1 against mrz.txt, the signer's certificate against the CSCA (signature,
validity at the date) and the CSCA's CRL. EXPECT names the one check that must fail
("none" for a valid chip): dg1-hash, dg2-hash, expired, revoked. Exits 1 otherwise.
"""

import datetime
import hashlib
import os
import sys

from asn1crypto import cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa


class DataGroupHash(core.Sequence):
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class DataGroupHashes(core.SequenceOf):
    _child_spec = DataGroupHash


class LDSVersionInfo(core.Sequence):
    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]


class LDSSecurityObject(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", cms.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashes),
        ("lds_version_info", LDSVersionInfo, {"optional": True}),
    ]


HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
          "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def main():
    case, csca_path, crl_path, date, expect = sys.argv[1:6]
    at = datetime.datetime.fromisoformat(date).replace(tzinfo=datetime.timezone.utc)
    failures = []

    raw = open(os.path.join(case, "EF_SOD.bin"), "rb").read()
    outer = core.load(raw)  # [APPLICATION 23] around the ContentInfo
    assert outer.class_ == 1 and outer.tag == 23, "EF.SOD is not tagged 77"
    info = cms.ContentInfo.load(outer.contents)
    assert info["content_type"].native == "signed_data"
    sd = info["content"]
    encap = sd["encap_content_info"]
    assert encap["content_type"].dotted == "2.23.136.1.1.1", encap["content_type"].dotted
    econtent = encap["content"].native
    lso = LDSSecurityObject.load(econtent)
    dg_hash = lso["hash_algorithm"]["algorithm"].native

    si = sd["signer_infos"][0]
    digest_name = si["digest_algorithm"]["algorithm"].native
    attrs = {a["type"].native: a["values"][0] for a in si["signed_attrs"]}
    if attrs["content_type"].dotted != "2.23.136.1.1.1":
        failures.append("signed-attributes")
    if attrs["message_digest"].native != hashlib.new(digest_name, econtent).digest():
        failures.append("signed-attributes")

    dsc_asn1 = sd["certificates"][0].chosen
    dsc = x509.load_der_x509_certificate(dsc_asn1.dump())
    sid = si["sid"].chosen
    assert sid["serial_number"].native == dsc.serial_number, "sid does not name the embedded certificate"
    signed = bytearray(si["signed_attrs"].dump())
    signed[0] = 0x31  # the signature covers the attributes as a SET OF (RFC 5652 §5.4)
    sig_alg = si["signature_algorithm"]
    key = dsc.public_key()
    h = HASHES[digest_name]()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(si["signature"].native, bytes(signed), ec.ECDSA(h))
        elif sig_alg["algorithm"].native == "rsassa_pss":
            params = sig_alg["parameters"]
            key.verify(si["signature"].native, bytes(signed),
                       padding.PSS(mgf=padding.MGF1(HASHES[params["hash_algorithm"]["algorithm"].native]()),
                                   salt_length=params["salt_length"].native),
                       HASHES[params["hash_algorithm"]["algorithm"].native]())
        else:
            key.verify(si["signature"].native, bytes(signed), padding.PKCS1v15(), h)
    except InvalidSignature:
        failures.append("signature")

    for entry in lso["data_group_hash_values"]:
        n = entry["data_group_number"].native
        data = open(os.path.join(case, f"Datagroup{n}.bin"), "rb").read()
        if hashlib.new(dg_hash, data).digest() != entry["data_group_hash_value"].native:
            failures.append(f"dg{n}-hash")

    dg1 = open(os.path.join(case, "Datagroup1.bin"), "rb").read()
    printed = open(os.path.join(case, "mrz.txt")).read().replace("\n", "").encode()
    if not dg1.endswith(printed):
        failures.append("dg1-vs-printed-mrz")

    csca = x509.load_der_x509_certificate(open(csca_path, "rb").read())
    try:
        dsc.verify_directly_issued_by(csca)
    except (InvalidSignature, ValueError, TypeError):
        failures.append("chain")
    if not (dsc.not_valid_before_utc <= at <= dsc.not_valid_after_utc):
        failures.append("expired")
    if not (csca.not_valid_before_utc <= at <= csca.not_valid_after_utc):
        failures.append("csca-validity")
    crl = x509.load_der_x509_crl(open(crl_path, "rb").read())
    if not crl.is_signature_valid(csca.public_key()):
        failures.append("crl-signature")
    if crl.get_revoked_certificate_by_serial_number(dsc.serial_number) is not None:
        failures.append("revoked")
    if dsc.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value != \
            csca.subject.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)[0].value:
        failures.append("country")

    # An altered DG1 fails its hash and the printed-MRZ comparison.
    wanted = {"none": set(), "dg1-hash": {"dg1-hash", "dg1-vs-printed-mrz"}, "dg2-hash": {"dg2-hash"},
              "expired": {"expired"}, "revoked": {"revoked"}}[expect]
    got = set(failures)
    alg = sig_alg["algorithm"].native
    print(f"  {os.path.basename(case)}: {alg}, {dg_hash} hashes of DG"
          f"{','.join(str(e['data_group_number'].native) for e in lso['data_group_hash_values'])}; "
          f"failed checks: {sorted(got) or 'none'}")
    if got != wanted:
        sys.exit(f"expected failures {sorted(wanted)}, got {sorted(got)}")


if __name__ == "__main__":
    main()
