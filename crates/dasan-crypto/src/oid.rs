//! Object identifiers used by this crate, each with the standard that defines it.

use der::asn1::ObjectIdentifier as Oid;

// Algorithms.
/// id-sha256 (RFC 5754).
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-sha384 (RFC 5754).
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
/// ecdsa-with-SHA256 (RFC 5758).
pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384 (RFC 5758).
pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
/// sha256WithRSAEncryption (RFC 4055).
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// id-RSASSA-PSS (RFC 4055).
pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
/// id-mgf1 (RFC 4055).
pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
/// rsaEncryption (RFC 3279).
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// id-ecPublicKey (RFC 5480).
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 / prime256v1 (RFC 5480).
pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 (RFC 5480).
pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
/// id-Ed25519 (RFC 8410).
pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");

// Certificate and CRL extensions (RFC 5280 unless noted).
/// id-ce-subjectKeyIdentifier.
pub const CE_SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
/// id-ce-keyUsage.
pub const CE_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
/// id-ce-privateKeyUsagePeriod.
pub const CE_PRIVATE_KEY_USAGE_PERIOD: Oid = Oid::new_unwrap("2.5.29.16");
/// id-ce-basicConstraints.
pub const CE_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// id-ce-cRLNumber.
pub const CE_CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
/// id-ce-cRLReasons.
pub const CE_CRL_REASONS: Oid = Oid::new_unwrap("2.5.29.21");
/// id-ce-cRLDistributionPoints.
pub const CE_CRL_DISTRIBUTION_POINTS: Oid = Oid::new_unwrap("2.5.29.31");
/// id-ce-authorityKeyIdentifier.
pub const CE_AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
/// id-ce-extKeyUsage.
pub const CE_EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");

// Extended key usages.
/// id-kp-timeStamping (RFC 5280; RFC 3161 requires it alone and critical).
pub const KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
/// id-kp-documentSigning (RFC 9336).
pub const KP_DOCUMENT_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.36");
/// id-tsl-kp-tslSigning (ETSI TS 119 612): signer of a trusted list.
pub const KP_TSL_SIGNING: Oid = Oid::new_unwrap("0.4.0.2231.3.0");

// ICAO Doc 9303 Part 12.
/// id-icao-mrtd-security-extensions-documentTypeList (Doc 9303 Part 12).
pub const ICAO_DOCUMENT_TYPE_LIST: Oid = Oid::new_unwrap("2.23.136.1.1.6.2");

// Name attributes (RFC 4519).
/// countryName.
pub const AT_COUNTRY: Oid = Oid::new_unwrap("2.5.4.6");
/// organizationName.
pub const AT_ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
/// organizationalUnitName.
pub const AT_ORGANIZATIONAL_UNIT: Oid = Oid::new_unwrap("2.5.4.11");
/// commonName.
pub const AT_COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
/// serialNumber (used for a document signer's sequence number).
pub const AT_SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");
