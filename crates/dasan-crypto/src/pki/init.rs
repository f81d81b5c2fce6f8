//! `pki_init`: build the platform's whole PKI from a spec.
//!
//! ```text
//! root CA (self-signed, pathLen 1; its key only ever signs certificates and CRLs)
//! ├── <agency> issuing CA (pathLen 0, OU=<agency code>)      CRL: <base>/root.crl
//! │   └── <agency> <purpose> end-entity, one per purpose      CRL: <base>/<code>.crl
//! └── ...
//! test CSCA <country> (self-signed, ICAO Doc 9303 Part 12)    (separate trust anchor)
//! └── document signer 1..n                                     CRL: <base>/csca-<cc>.crl
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::algorithm::Algorithm;
use crate::keystore::{KeyId, KeyStore, KeyStoreError, validate_label};
use crate::pki::{
    CertProfile, CertificateRequest, CrlRequest, DistinguishedName, IssuedCertificate, IssuedCrl,
    Issuer, PkiError, Purpose, SubjectKey, issue_certificate, issue_crl,
};
use crate::trust_list::{EntryStatus, TrustList, TrustListEntry, sign_trust_list};

const DAY: u64 = 24 * 60 * 60;

/// Lifetimes, in days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidityPolicy {
    /// Root CA certificate.
    pub root_days: u32,
    /// Agency issuing CA certificates.
    pub issuing_ca_days: u32,
    /// End-entity certificates.
    pub end_entity_days: u32,
    /// Test CSCA certificate.
    pub csca_days: u32,
    /// Test CSCA private key usage period.
    pub csca_key_usage_days: u32,
    /// Document signer certificates (key usage period plus the life of the documents signed).
    pub document_signer_days: u32,
    /// Document signer private key usage period (Doc 9303 suggests about three months).
    pub document_signer_key_usage_days: u32,
    /// nextUpdate of issuing CA and CSCA CRLs.
    pub crl_days: u32,
    /// nextUpdate of the root CRL (the root is kept offline, so it is refreshed rarely).
    pub root_crl_days: u32,
    /// nextUpdate of the trust list.
    pub trust_list_days: u32,
}

impl Default for ValidityPolicy {
    fn default() -> Self {
        ValidityPolicy {
            root_days: 20 * 365,
            issuing_ca_days: 10 * 365,
            end_entity_days: 3 * 365,
            csca_days: 15 * 365,
            csca_key_usage_days: 5 * 365,
            document_signer_days: 10 * 365 + 92,
            document_signer_key_usage_days: 92,
            crl_days: 7,
            root_crl_days: 90,
            trust_list_days: 7,
        }
    }
}

/// One agency: its code (in the issuing CA's subject), name and the purposes it needs keys for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencySpec {
    /// Short code, 1 to 16 of `A-Z a-z 0-9 -` (e.g. `MOIS`, `PPS`, `KIS`).
    pub code: String,
    /// Full name (organizationName), up to 64 characters; Hangul is fine.
    pub name: String,
    /// End-entity purposes.
    pub purposes: Vec<Purpose>,
    /// Per-purpose algorithm overrides (default: [`Purpose::default_algorithm`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub algorithms: BTreeMap<Purpose, Algorithm>,
}

/// The border test PKI: a test CSCA and document signers (ICAO Doc 9303 Part 12).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BorderTestSpec {
    /// ISO 3166-1 alpha-2 country code of the CSCA (C=).
    pub country: String,
    /// Issuing organisation (O=).
    pub organization: String,
    /// CSCA common name.
    pub csca_common_name: String,
    /// How many document signers to create.
    pub document_signers: u32,
    /// Document types the signers may sign (default `["P"]`).
    #[serde(default = "default_document_types")]
    pub document_types: Vec<String>,
    /// Key algorithm for the CSCA and document signers.
    #[serde(default)]
    pub algorithm: Algorithm,
}

fn default_document_types() -> Vec<String> {
    vec!["P".into()]
}

fn default_prefix() -> String {
    "pki".into()
}

/// Everything `pki_init` needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PkiSpec {
    /// Prefix of every key label (lets several PKIs share one store; default `pki`).
    #[serde(default = "default_prefix")]
    pub label_prefix: String,
    /// Root CA subject. Its country is reused in agency subjects.
    pub root: DistinguishedName,
    /// Root key algorithm.
    #[serde(default)]
    pub root_algorithm: Algorithm,
    /// Issuing CA key algorithm.
    #[serde(default)]
    pub ca_algorithm: Algorithm,
    /// Agencies.
    pub agencies: Vec<AgencySpec>,
    /// Base URL CRLs are published under (e.g. `https://pki.example.go.kr/crl`).
    pub crl_base_url: String,
    /// Lifetimes.
    #[serde(default)]
    pub validity: ValidityPolicy,
    /// Optional border test CSCA and document signers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub border_test: Option<BorderTestSpec>,
}

/// A CA with its key, certificate and current CRL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaRecord {
    /// Signing key.
    pub key: KeyId,
    /// Certificate.
    pub certificate: IssuedCertificate,
    /// Where its CRL is published.
    pub crl_url: String,
    /// Its first CRL (number 1, nothing revoked).
    pub crl: IssuedCrl,
}

impl CaRecord {
    /// This CA as an issuer.
    pub fn issuer(&self) -> Issuer<'_> {
        Issuer {
            key: &self.key,
            certificate: &self.certificate.der,
        }
    }
}

/// An end-entity key and certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndEntityRecord {
    /// Signing key.
    pub key: KeyId,
    /// Certificate.
    pub certificate: IssuedCertificate,
}

/// An agency's issuing CA and end-entities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyRecord {
    /// Agency code.
    pub code: String,
    /// Agency name.
    pub name: String,
    /// Issuing CA.
    pub issuing_ca: CaRecord,
    /// End-entities by purpose.
    pub end_entities: BTreeMap<Purpose, EndEntityRecord>,
}

/// The border test CSCA and its document signers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BorderRecord {
    /// Country code.
    pub country: String,
    /// The CSCA (a trust anchor of its own, as in ICAO practice).
    pub csca: CaRecord,
    /// Document signers.
    pub document_signers: Vec<EndEntityRecord>,
}

/// Everything `pki_init` created: persist it as JSON (it holds no secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PkiLayout {
    /// The root CA.
    pub root: CaRecord,
    /// Agencies, in spec order.
    pub agencies: Vec<AgencyRecord>,
    /// Border test PKI, if requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub border: Option<BorderRecord>,
    /// The signed trust list (compact JWS), if an agency has a trust-list-signing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_list: Option<String>,
    /// The trust list's sequence number (grows with each re-issue).
    #[serde(default)]
    pub trust_list_sequence: u64,
    /// When the trust list was issued and when relying parties expect the next one
    /// (microseconds since the Unix epoch).
    #[serde(default)]
    pub trust_list_issued_us: i64,
    #[serde(default)]
    pub trust_list_next_update_us: i64,
}

/// What [`PkiLayout::refresh`] re-issued.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// CRL addresses re-issued.
    pub crls: Vec<String>,
    /// CAs whose CRL is due but whose key is not in this store (e.g. an offline root).
    pub skipped: Vec<String>,
    /// Whether the trust list was re-issued.
    pub trust_list: bool,
}

impl PkiLayout {
    /// Re-issues every CRL and the trust list that has passed half of its validity, so that
    /// relying parties always find a current one (the caller persists the layout if anything
    /// changed). CRL numbers and the trust-list sequence grow by one; the validity period stays
    /// what it was. No certificate has been revoked yet (revocation is still to come), so each
    /// CRL is re-issued empty.
    ///
    /// # Errors
    /// Key store and encoding errors.
    pub fn refresh(
        &mut self,
        store: &dyn KeyStore,
        now: SystemTime,
    ) -> Result<Refreshed, PkiError> {
        let now_us = micros(now);
        let mut done = Refreshed::default();
        let cas = std::iter::once(&mut self.root)
            .chain(self.agencies.iter_mut().map(|a| &mut a.issuing_ca))
            .chain(self.border.iter_mut().map(|b| &mut b.csca));
        for ca in cas {
            let period = ca.crl.next_update_us - ca.crl.this_update_us;
            if now_us < ca.crl.next_update_us - period / 2 {
                continue;
            }
            match store.key_info(&ca.key) {
                Ok(info) if info.can_sign() => {}
                Ok(_) | Err(KeyStoreError::NotFound(_)) => {
                    done.skipped.push(ca.crl_url.clone());
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
            let period = Duration::from_micros(u64::try_from(period).unwrap_or(0).max(60_000_000));
            ca.crl = issue_crl(
                store,
                ca.issuer(),
                &CrlRequest {
                    crl_number: ca.crl.crl_number + 1,
                    this_update: now,
                    next_update: now + period,
                    revoked: Vec::new(),
                },
            )?;
            done.crls.push(ca.crl_url.clone());
        }
        let due = self.trust_list.is_some() && {
            let period = self.trust_list_next_update_us - self.trust_list_issued_us;
            now_us >= self.trust_list_next_update_us - period / 2
        };
        if due {
            let period = u64::try_from(self.trust_list_next_update_us - self.trust_list_issued_us)
                .unwrap_or(0)
                .max(60_000_000);
            let sequence = self.trust_list_sequence + 1;
            if self.sign_trust_list(store, sequence, now, now + Duration::from_micros(period))? {
                done.trust_list = true;
            }
        }
        Ok(done)
    }

    /// Signs a new trust list with the first agency trust-list-signing key; false if none.
    fn sign_trust_list(
        &mut self,
        store: &dyn KeyStore,
        sequence: u64,
        now: SystemTime,
        next_update: SystemTime,
    ) -> Result<bool, PkiError> {
        let signer = self.agencies.iter().find_map(|a| {
            a.end_entities
                .get(&Purpose::TrustListSigning)
                .map(|ee| (a.code.clone(), ee.key.clone()))
        });
        let Some((code, key)) = signer else {
            return Ok(false);
        };
        let list = self.trust_list(store, sequence, now, next_update)?;
        let chain: Vec<Vec<u8>> = self
            .chain(&code, Purpose::TrustListSigning)
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.der.clone())
            .collect();
        self.trust_list = Some(sign_trust_list(store, &key, &chain, &list).map_err(trust_err)?);
        self.trust_list_sequence = sequence;
        self.trust_list_issued_us = micros(now);
        self.trust_list_next_update_us = micros(next_update);
        Ok(true)
    }

    /// The agency with this code.
    pub fn agency(&self, code: &str) -> Option<&AgencyRecord> {
        self.agencies.iter().find(|a| a.code == code)
    }

    /// Certificate chain of an agency end-entity: end-entity, issuing CA, root.
    pub fn chain(&self, agency: &str, purpose: Purpose) -> Option<Vec<&IssuedCertificate>> {
        let a = self.agency(agency)?;
        let ee = a.end_entities.get(&purpose)?;
        Some(vec![
            &ee.certificate,
            &a.issuing_ca.certificate,
            &self.root.certificate,
        ])
    }

    /// Build the (unsigned) trust list of every end-entity key in the layout. Algorithms and
    /// retirement come from `store`; mark revoked entries afterwards from your revocation
    /// records.
    ///
    /// # Errors
    /// Key store and encoding errors.
    pub fn trust_list(
        &self,
        store: &dyn KeyStore,
        sequence: u64,
        issued_at: SystemTime,
        next_update: SystemTime,
    ) -> Result<TrustList, PkiError> {
        let mut list = TrustList::new(
            self.root.certificate.subject.clone(),
            sequence,
            issued_at,
            next_update,
        )
        .map_err(trust_err)?;
        for a in &self.agencies {
            for (purpose, ee) in &a.end_entities {
                let chain = [
                    &ee.certificate,
                    &a.issuing_ca.certificate,
                    &self.root.certificate,
                ];
                list.entries
                    .push(entry(store, purpose.as_str(), Some(&a.code), ee, &chain)?);
            }
        }
        if let Some(b) = &self.border {
            for ds in &b.document_signers {
                let chain = [&ds.certificate, &b.csca.certificate];
                list.entries
                    .push(entry(store, "icao-document-signer", None, ds, &chain)?);
            }
        }
        Ok(list)
    }
}

fn trust_err(e: crate::trust_list::TrustListError) -> PkiError {
    match e {
        crate::trust_list::TrustListError::Chain(p) => p,
        crate::trust_list::TrustListError::KeyStore(k) => PkiError::KeyStore(k),
        other => PkiError::Encoding(other.to_string()),
    }
}

fn entry(
    store: &dyn KeyStore,
    purpose: &str,
    agency: Option<&str>,
    ee: &EndEntityRecord,
    chain: &[&IssuedCertificate],
) -> Result<TrustListEntry, PkiError> {
    let info = store.key_info(&ee.key)?;
    let status = if info.can_sign() {
        EntryStatus::Active
    } else {
        EntryStatus::Retired
    };
    TrustListEntry::from_chain(purpose, agency, &ee.key, info.algorithm, chain, status)
        .map_err(trust_err)
}

fn invalid(m: impl Into<String>) -> PkiError {
    PkiError::InvalidRequest(m.into())
}

fn micros(t: SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn days(n: u32) -> Duration {
    Duration::from_secs(u64::from(n) * DAY)
}

/// Subject of an agency's issuing CA (`purpose` = None) or of one of its end-entities.
fn agency_dn(
    country: Option<&String>,
    a: &AgencySpec,
    purpose: Option<Purpose>,
) -> DistinguishedName {
    DistinguishedName {
        country: country.cloned(),
        organization: Some(a.name.clone()),
        organizational_unit: Some(a.code.clone()),
        common_name: match purpose {
            None => format!("{} Issuing CA", a.code),
            Some(p) => format!("{} {}", a.code, p.title()),
        },
        serial_number: None,
    }
}

/// Subject of the test CSCA (`signer` = None) or of document signer number `signer`.
fn border_dn(b: &BorderTestSpec, signer: Option<usize>) -> DistinguishedName {
    DistinguishedName {
        country: Some(b.country.clone()),
        organization: Some(b.organization.clone()),
        organizational_unit: None,
        common_name: match signer {
            None => b.csca_common_name.clone(),
            Some(n) => format!("Document Signer {n}"),
        },
        serial_number: None,
    }
}

/// The key labels `pki_init` will create for `spec`, checked up front so a bad spec fails
/// before any key is generated.
struct Labels {
    root: String,
    agencies: Vec<(String, Vec<(Purpose, String)>)>,
    csca: Option<String>,
    document_signers: Vec<String>,
}

fn plan(spec: &PkiSpec) -> Result<Labels, PkiError> {
    let p = &spec.label_prefix;
    // Names and URLs are checked here too, so nothing fails half-way for a bad spec.
    spec.root.validate()?;
    crate::pki::issue::check_crl_url(spec.crl_base_url.trim_end_matches('/'))?;
    for a in &spec.agencies {
        agency_dn(spec.root.country.as_ref(), a, None).validate()?;
        for purpose in &a.purposes {
            agency_dn(spec.root.country.as_ref(), a, Some(*purpose)).validate()?;
        }
    }
    if let Some(b) = &spec.border_test {
        border_dn(b, None).validate()?;
        border_dn(b, Some(1)).validate()?;
        if b.document_types.is_empty() {
            return Err(invalid("border test needs at least one document type"));
        }
    }
    let mut seen_codes = Vec::new();
    let mut agencies = Vec::new();
    for a in &spec.agencies {
        let ok = !a.code.is_empty()
            && a.code.len() <= 16
            && a.code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok {
            return Err(invalid(format!(
                "agency code {:?} must be 1 to 16 of A-Z, a-z, 0-9, '-'",
                a.code
            )));
        }
        let lower = a.code.to_ascii_lowercase();
        if seen_codes.contains(&lower) {
            return Err(invalid(format!("agency code {} appears twice", a.code)));
        }
        seen_codes.push(lower.clone());
        let mut purposes = Vec::new();
        for purpose in &a.purposes {
            if purposes.iter().any(|(q, _)| q == purpose) {
                return Err(invalid(format!(
                    "{}: purpose {} twice",
                    a.code,
                    purpose.as_str()
                )));
            }
            purposes.push((*purpose, format!("{p}-{lower}-{}", purpose.as_str())));
        }
        agencies.push((format!("{p}-ca-{lower}"), purposes));
    }
    let (csca, document_signers) = match &spec.border_test {
        Some(b) => {
            let cc = b.country.to_ascii_lowercase();
            if b.document_signers == 0 {
                return Err(invalid("border test needs at least one document signer"));
            }
            let ds = (1..=b.document_signers)
                .map(|n| format!("{p}-ds-{cc}-{n}"))
                .collect();
            (Some(format!("{p}-csca-{cc}")), ds)
        }
        None => (None, Vec::new()),
    };
    let labels = Labels {
        root: format!("{p}-root"),
        agencies,
        csca,
        document_signers,
    };
    Ok(labels)
}

fn all_labels(l: &Labels) -> Vec<&str> {
    let mut v = vec![l.root.as_str()];
    for (ca, ees) in &l.agencies {
        v.push(ca);
        v.extend(ees.iter().map(|(_, s)| s.as_str()));
    }
    v.extend(l.csca.as_deref());
    v.extend(l.document_signers.iter().map(String::as_str));
    v
}

fn crl_for(
    store: &dyn KeyStore,
    ca: Issuer<'_>,
    now: SystemTime,
    days_valid: u32,
) -> Result<IssuedCrl, PkiError> {
    issue_crl(
        store,
        ca,
        &CrlRequest {
            crl_number: 1,
            this_update: now,
            next_update: now + days(days_valid),
            revoked: Vec::new(),
        },
    )
}

/// Build the whole PKI from `spec` with keys in `store`, at time `now`.
///
/// Fails before generating anything if the spec is invalid or any key label it needs already
/// exists (use another `label_prefix`, or rotate keys instead of re-initialising). A failure
/// part-way (e.g. an HSM error) leaves the keys generated so far in the store.
///
/// # Errors
/// [`PkiError::InvalidRequest`] for a bad spec; key store and encoding errors.
pub fn pki_init(
    store: &dyn KeyStore,
    spec: &PkiSpec,
    now: SystemTime,
) -> Result<PkiLayout, PkiError> {
    pki_init_with_root_store(store, store, spec, now)
}

/// As [`pki_init`], with the root CA key in its own store (e.g. a passphrase-protected file
/// store on removable media, or a separate HSM token), so the root key can be kept offline and
/// brought out only to issue CA certificates and root CRLs.
///
/// # Errors
/// As [`pki_init`].
pub fn pki_init_with_root_store(
    root_store: &dyn KeyStore,
    store: &dyn KeyStore,
    spec: &PkiSpec,
    now: SystemTime,
) -> Result<PkiLayout, PkiError> {
    let labels = plan(spec)?;
    for label in all_labels(&labels) {
        validate_label(label)?;
        let owner = if label == labels.root {
            root_store
        } else {
            store
        };
        match owner.versions(label) {
            Err(KeyStoreError::NotFound(_)) => {}
            Ok(_) => return Err(invalid(format!("key label {label} already exists"))),
            Err(e) => return Err(e.into()),
        }
    }
    let base = spec.crl_base_url.trim_end_matches('/');
    let v = &spec.validity;
    let country = spec.root.country.clone();

    // Root.
    let root_key = root_store
        .generate(&labels.root, spec.root_algorithm, now)?
        .id;
    let root_cert = issue_certificate(
        root_store,
        None,
        &CertificateRequest {
            subject: spec.root.clone(),
            subject_key: SubjectKey::Store(root_key.clone()),
            profile: CertProfile::RootCa { path_len: Some(1) },
            not_before: now,
            not_after: now + days(v.root_days),
            crl_distribution_point: None,
            private_key_usage_period: None,
        },
    )?;
    let root_crl_url = format!("{base}/root.crl");

    // Agencies.
    let mut agencies = Vec::new();
    for (a, (ca_label, ee_labels)) in spec.agencies.iter().zip(&labels.agencies) {
        let ca_key = store.generate(ca_label, spec.ca_algorithm, now)?.id;
        // Signed in the root's store; the CA's key is in `store`, so certify its public key.
        let mut ca_cert = issue_certificate(
            root_store,
            Some(Issuer {
                key: &root_key,
                certificate: &root_cert.der,
            }),
            &CertificateRequest {
                subject: agency_dn(country.as_ref(), a, None),
                subject_key: SubjectKey::Spki(store.public_key(&ca_key)?),
                profile: CertProfile::IssuingCa { path_len: 0 },
                not_before: now,
                not_after: now + days(v.issuing_ca_days),
                crl_distribution_point: Some(root_crl_url.clone()),
                private_key_usage_period: None,
            },
        )?;
        ca_cert.key = Some(ca_key.clone());
        let crl_url = format!("{base}/{}.crl", a.code.to_ascii_lowercase());
        let mut end_entities = BTreeMap::new();
        for (purpose, label) in ee_labels {
            let algorithm = a
                .algorithms
                .get(purpose)
                .copied()
                .unwrap_or_else(|| purpose.default_algorithm());
            let key = store.generate(label, algorithm, now)?.id;
            let certificate = issue_certificate(
                store,
                Some(Issuer {
                    key: &ca_key,
                    certificate: &ca_cert.der,
                }),
                &CertificateRequest {
                    subject: agency_dn(country.as_ref(), a, Some(*purpose)),
                    subject_key: SubjectKey::Store(key.clone()),
                    profile: CertProfile::EndEntity { purpose: *purpose },
                    not_before: now,
                    not_after: now + days(v.end_entity_days),
                    crl_distribution_point: Some(crl_url.clone()),
                    private_key_usage_period: None,
                },
            )?;
            end_entities.insert(*purpose, EndEntityRecord { key, certificate });
        }
        let crl = crl_for(
            store,
            Issuer {
                key: &ca_key,
                certificate: &ca_cert.der,
            },
            now,
            v.crl_days,
        )?;
        agencies.push(AgencyRecord {
            code: a.code.clone(),
            name: a.name.clone(),
            issuing_ca: CaRecord {
                key: ca_key,
                certificate: ca_cert,
                crl_url,
                crl,
            },
            end_entities,
        });
    }

    // Border test CSCA and document signers.
    let border = match (&spec.border_test, &labels.csca) {
        (Some(b), Some(csca_label)) => Some(border_pki(
            store,
            b,
            csca_label,
            &labels.document_signers,
            base,
            v,
            now,
        )?),
        _ => None,
    };

    let root_crl = crl_for(
        root_store,
        Issuer {
            key: &root_key,
            certificate: &root_cert.der,
        },
        now,
        v.root_crl_days,
    )?;
    let mut layout = PkiLayout {
        root: CaRecord {
            key: root_key,
            certificate: root_cert,
            crl_url: root_crl_url,
            crl: root_crl,
        },
        agencies,
        border,
        trust_list: None,
        trust_list_sequence: 0,
        trust_list_issued_us: 0,
        trust_list_next_update_us: 0,
    };

    // The trust list, signed by the first agency that has a trust-list-signing key.
    layout.sign_trust_list(store, 1, now, now + days(v.trust_list_days))?;
    Ok(layout)
}

fn border_pki(
    store: &dyn KeyStore,
    b: &BorderTestSpec,
    csca_label: &str,
    ds_labels: &[String],
    base: &str,
    v: &ValidityPolicy,
    now: SystemTime,
) -> Result<BorderRecord, PkiError> {
    let csca_key = store.generate(csca_label, b.algorithm, now)?.id;
    let crl_url = format!("{base}/csca-{}.crl", b.country.to_ascii_lowercase());
    let csca_cert = issue_certificate(
        store,
        None,
        &CertificateRequest {
            subject: border_dn(b, None),
            subject_key: SubjectKey::Store(csca_key.clone()),
            profile: CertProfile::Csca,
            not_before: now,
            not_after: now + days(v.csca_days),
            crl_distribution_point: Some(crl_url.clone()),
            private_key_usage_period: Some((now, now + days(v.csca_key_usage_days))),
        },
    )?;
    let mut document_signers = Vec::new();
    for (n, label) in ds_labels.iter().enumerate() {
        let key = store.generate(label, b.algorithm, now)?.id;
        let certificate = issue_certificate(
            store,
            Some(Issuer {
                key: &csca_key,
                certificate: &csca_cert.der,
            }),
            &CertificateRequest {
                subject: border_dn(b, Some(n + 1)),
                subject_key: SubjectKey::Store(key.clone()),
                profile: CertProfile::DocumentSigner {
                    document_types: b.document_types.clone(),
                },
                not_before: now,
                not_after: now + days(v.document_signer_days),
                crl_distribution_point: Some(crl_url.clone()),
                private_key_usage_period: Some((now, now + days(v.document_signer_key_usage_days))),
            },
        )?;
        document_signers.push(EndEntityRecord { key, certificate });
    }
    let crl = crl_for(
        store,
        Issuer {
            key: &csca_key,
            certificate: &csca_cert.der,
        },
        now,
        v.crl_days,
    )?;
    Ok(BorderRecord {
        country: b.country.clone(),
        csca: CaRecord {
            key: csca_key,
            certificate: csca_cert,
            crl_url,
            crl,
        },
        document_signers,
    })
}

#[cfg(test)]
mod refresh_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::keystore::{FileKeyStore, KekSource};

    #[test]
    fn due_crls_and_trust_list_are_reissued_with_growing_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let kek = dir.path().join("kek");
        KekSource::create_key_file(&kek).unwrap();
        let store = FileKeyStore::create(dir.path().join("s"), &KekSource::KeyFile(kek)).unwrap();
        let spec = PkiSpec {
            label_prefix: "t".into(),
            root: crate::pki::DistinguishedName::cn("Test Root"),
            root_algorithm: Algorithm::EcdsaP256Sha256,
            ca_algorithm: Algorithm::EcdsaP256Sha256,
            agencies: vec![AgencySpec {
                code: "MOIS".into(),
                name: "Interior".into(),
                purposes: vec![Purpose::TrustListSigning],
                algorithms: BTreeMap::new(),
            }],
            crl_base_url: "https://portal.example/pki/crl".into(),
            validity: ValidityPolicy::default(),
            border_test: None,
        };
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut layout = pki_init(&store, &spec, t0).unwrap();
        assert_eq!(layout.trust_list_sequence, 1);

        // A day later nothing is due (agency CRLs and the trust list last 7 days, the root's 90).
        let done = layout.refresh(&store, t0 + days(1)).unwrap();
        assert_eq!(done, Refreshed::default());

        // After four days the 7-day ones are past half-life: re-issued, numbered 2.
        let done = layout.refresh(&store, t0 + days(4)).unwrap();
        assert_eq!(
            done.crls,
            vec!["https://portal.example/pki/crl/mois.crl".to_owned()]
        );
        assert!(done.trust_list);
        assert_eq!(layout.agencies[0].issuing_ca.crl.crl_number, 2);
        assert_eq!(layout.root.crl.crl_number, 1);
        assert_eq!(layout.trust_list_sequence, 2);
        let list = crate::trust_list::verify_trust_list(
            layout.trust_list.as_deref().unwrap(),
            &layout.root.certificate.der,
            t0 + days(4),
        )
        .unwrap();
        assert_eq!(list.sequence, 2);

        // A root whose key is offline (not in this store) is reported, not re-issued.
        layout.root.key = KeyId::new("elsewhere", 1);
        let done = layout.refresh(&store, t0 + days(60)).unwrap();
        assert_eq!(
            done.skipped,
            vec!["https://portal.example/pki/crl/root.crl".to_owned()]
        );
        assert_eq!(layout.root.crl.crl_number, 1);
    }
}
