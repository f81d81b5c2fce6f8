//! Certificate profiles: which extensions each kind of certificate carries, and why.

use der::asn1::ObjectIdentifier;
use serde::{Deserialize, Serialize};

use crate::algorithm::Algorithm;
use crate::oid;

/// What an end-entity key is for. Each purpose gets its own key and certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// Signing official documents (PAdES): digitalSignature + nonRepudiation, EKU
    /// id-kp-documentSigning (RFC 9336).
    DocumentSigning,
    /// RFC 3161 time-stamping authority: digitalSignature, EKU id-kp-timeStamping only and
    /// critical, as RFC 3161 §2.3 requires.
    TimeStamping,
    /// Signing audit-log checkpoints (C2SP signed notes, Ed25519): digitalSignature. No EKU:
    /// no standard one exists for transparency-log checkpoints.
    AuditCheckpoint,
    /// Signing procurement receipts (bid submission acknowledgements, signed documents):
    /// digitalSignature + nonRepudiation, EKU id-kp-documentSigning.
    ProcurementReceipt,
    /// Signing the platform trust list: digitalSignature + nonRepudiation, EKU
    /// id-tsl-kp-tslSigning (ETSI TS 119 612).
    TrustListSigning,
}

impl Purpose {
    /// Every purpose.
    pub const ALL: [Purpose; 5] = [
        Purpose::DocumentSigning,
        Purpose::TimeStamping,
        Purpose::AuditCheckpoint,
        Purpose::ProcurementReceipt,
        Purpose::TrustListSigning,
    ];

    /// Stable identifier (used in key labels and the trust list).
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::DocumentSigning => "document-signing",
            Purpose::TimeStamping => "time-stamping",
            Purpose::AuditCheckpoint => "audit-checkpoint",
            Purpose::ProcurementReceipt => "procurement-receipt",
            Purpose::TrustListSigning => "trust-list-signing",
        }
    }

    /// Human-readable title (used in common names).
    pub fn title(self) -> &'static str {
        match self {
            Purpose::DocumentSigning => "Document Signing",
            Purpose::TimeStamping => "Time Stamping",
            Purpose::AuditCheckpoint => "Audit Checkpoint Signing",
            Purpose::ProcurementReceipt => "Procurement Receipt Signing",
            Purpose::TrustListSigning => "Trust List Signing",
        }
    }

    /// The default key algorithm: Ed25519 for checkpoints (C2SP signed notes use Ed25519),
    /// ECDSA P-256 otherwise.
    pub fn default_algorithm(self) -> Algorithm {
        match self {
            Purpose::AuditCheckpoint => Algorithm::Ed25519,
            _ => Algorithm::EcdsaP256Sha256,
        }
    }

    pub(crate) fn non_repudiation(self) -> bool {
        matches!(
            self,
            Purpose::DocumentSigning | Purpose::ProcurementReceipt | Purpose::TrustListSigning
        )
    }

    /// Extended key usages and whether the extension is critical.
    pub(crate) fn extended_key_usage(self) -> Option<(Vec<ObjectIdentifier>, bool)> {
        match self {
            Purpose::DocumentSigning | Purpose::ProcurementReceipt => {
                Some((vec![oid::KP_DOCUMENT_SIGNING], false))
            }
            Purpose::TimeStamping => Some((vec![oid::KP_TIME_STAMPING], true)),
            Purpose::TrustListSigning => Some((vec![oid::KP_TSL_SIGNING], false)),
            Purpose::AuditCheckpoint => None,
        }
    }
}

/// The kind of certificate to issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CertProfile {
    /// Self-signed platform root: CA, keyCertSign + cRLSign (critical), optional path length.
    RootCa {
        /// basicConstraints pathLenConstraint (1 = root → issuing CA → end-entity).
        path_len: Option<u8>,
    },
    /// Issuing (subordinate) CA of an agency: CA, keyCertSign + cRLSign (critical).
    IssuingCa {
        /// basicConstraints pathLenConstraint (0 = issues only end-entities).
        path_len: u8,
    },
    /// End-entity signing certificate for one purpose.
    EndEntity {
        /// What the key is for.
        purpose: Purpose,
    },
    /// ICAO Doc 9303 Part 12 Country Signing CA: self-signed (or a link certificate when
    /// issued by a previous CSCA); CA with pathLen 0, keyCertSign + cRLSign, both critical; no
    /// EKU.
    Csca,
    /// ICAO Doc 9303 Part 12 Document Signer: digitalSignature only (critical), no EKU, the
    /// Document Type List extension; subject country must equal the CSCA's.
    DocumentSigner {
        /// Document types it may sign (one or two letters, e.g. `P` for passports).
        document_types: Vec<String>,
    },
}
