//! The RFC 3161 time-stamping authority.

#![allow(clippy::unwrap_used)]

mod common;

use common::{now, pki};
use dasan_crypto::StoreSigner;
use dasan_crypto::pki::Purpose;
use dasan_docs::tsa::{
    BASELINE_TS_POLICY, TimeStampAuthority, TsaError, accept_response, request, verify_token,
};
use der::Encode;
use sha2::{Digest, Sha256};

fn status(resp: &[u8]) -> u8 {
    match accept_response(resp, &[0u8; 32], &[1]) {
        Err(TsaError::Refused { status, .. }) => status,
        _ => 0,
    }
}

#[test]
fn grants_a_token_that_verifies_and_echoes_the_nonce() {
    let pki = pki();
    let tsa = pki.tsa();
    let digest = Sha256::digest(b"signature value");
    let req = request(&digest, &[0x12, 0x34]).unwrap();
    let resp = tsa.respond(&req, now());
    let (token, info) = accept_response(&resp, &digest, &[0x12, 0x34]).unwrap();
    assert_eq!(info.gen_time, now());
    assert_eq!(info.policy, BASELINE_TS_POLICY);
    assert_eq!(info.tsa_certificate, tsa.certificate_der());
    verify_token(&token, &digest).unwrap();
    // The token does not vouch for other data, nor for another nonce.
    assert!(matches!(
        verify_token(&token, &Sha256::digest(b"other")),
        Err(TsaError::InvalidToken(_))
    ));
    assert!(matches!(
        accept_response(&resp, &digest, &[0x12, 0x35]),
        Err(TsaError::InvalidToken(_))
    ));
    // A flipped byte in the token breaks it.
    let mut bad = token.clone();
    let n = bad.len();
    bad[n - 10] ^= 0x01;
    assert!(verify_token(&bad, &digest).is_err());
}

#[test]
fn rejects_bad_requests_with_rfc_3161_failure_info() {
    let pki = pki();
    let tsa = pki.tsa();
    // Garbage: badDataFormat (bit 5).
    let resp = tsa.respond(b"\x30\x03\x02\x01\x01garbage", now());
    assert_eq!(status(&resp), 2);
    let resp = tsa.respond(&[], now());
    assert_eq!(status(&resp), 2);
    // SHA-1 imprint: badAlg.
    let mut req = dasan_docs_req(&[0u8; 20], "1.3.14.3.2.26");
    let resp = tsa.respond(&req, now());
    match accept_response(&resp, &[0u8; 20], &[1]) {
        Err(TsaError::Refused { status: 2, text }) => assert!(text.contains("hash"), "{text}"),
        other => panic!("{other:?}"),
    }
    // SHA-256 with a wrong-length hash: badDataFormat.
    req = dasan_docs_req(&[0u8; 20], "2.16.840.1.101.3.4.2.1");
    let resp = tsa.respond(&req, now());
    assert!(matches!(
        accept_response(&resp, &[0u8; 20], &[1]),
        Err(TsaError::Refused { status: 2, .. })
    ));
}

/// A TimeStampReq with an arbitrary hash algorithm, built by hand.
fn dasan_docs_req(hash: &[u8], oid: &str) -> Vec<u8> {
    let alg = spki::AlgorithmIdentifierOwned {
        oid: der::asn1::ObjectIdentifier::new_unwrap(oid),
        parameters: None,
    };
    let imprint = der::asn1::OctetString::new(hash).unwrap();
    let body = [1u8.to_der().unwrap(), {
        let mut mi = alg.to_der().unwrap();
        mi.extend(imprint.to_der().unwrap());
        let mut seq = vec![0x30, mi.len() as u8];
        seq.extend(mi);
        seq
    }]
    .concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

#[test]
fn only_a_time_stamping_certificate_makes_a_tsa() {
    let pki = pki();
    let mois = pki.layout.agency("MOIS").unwrap();
    let ds = &mois.end_entities[&Purpose::DocumentSigning];
    let ts = &mois.end_entities[&Purpose::TimeStamping];
    // Document-signing certificate: wrong EKU.
    assert!(matches!(
        TimeStampAuthority::new(
            StoreSigner::new(&pki.store, &ds.key).unwrap(),
            &ds.certificate.der,
            vec![]
        ),
        Err(TsaError::Certificate(_))
    ));
    // Time-stamping certificate with another key.
    assert!(matches!(
        TimeStampAuthority::new(
            StoreSigner::new(&pki.store, &ds.key).unwrap(),
            &ts.certificate.der,
            vec![]
        ),
        Err(TsaError::Certificate(_))
    ));
    assert!(matches!(
        TimeStampAuthority::new(
            StoreSigner::new(&pki.store, &ts.key).unwrap(),
            b"junk",
            vec![]
        ),
        Err(TsaError::Certificate(_))
    ));
}
