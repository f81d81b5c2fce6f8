//! Official documents issued from applications: the registry read as of the issuing moment, laid
//! out by `dasan-docs`, sealed with a QR code and signed (PAdES B-LT with a time-stamp) by the
//! issuing agency's document-signing key from the platform PKI.
//!
//! The document is made before the transaction that records the issuance: the registry reads
//! are their own logged transactions, and rendering and signing take milliseconds that a write
//! transaction should not wait for. The PDF is stored by content hash before the row that
//! points at it, so a failed change leaves at most an unreferenced file, never a row without
//! its document.

use crate::application::Application;
use crate::definition::ServiceDefinition;
use crate::{Civil, CivilError};
use dasan_crypto::pki::{PkiLayout, Purpose};
use dasan_crypto::{KeyStore, StoreSigner};
use dasan_docs::pades::{DocumentSigner, LtvMaterial, PadesLevel, SignatureInfo, sign_pades};
use dasan_docs::seal::{Claims, make_qr_payload};
use dasan_docs::tsa::{LocalTsa, TimeStampAuthority};
use dasan_docs::{
    Agency, Date, DocumentSpec, DocumentType, Facts, FamilyMember, FamilyRelations, Fonts,
    HouseholdMember, Language, Layout, Paper, Person, Relation, ResidentRegistration,
};
use dasan_kernel::{Actor, Timestamp};
use dasan_registry::PersonId;
use dasan_store::{StoreError, Tx, on_reader, on_tx};
use rand::Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How long a document's seal is valid (the facts may change after that).
const VALID_DAYS: u64 = 90;
/// The purpose the issuing agency's registry reads are logged under.
const PURPOSE: &str = "document-issuance";

/// What issues documents: the key store, the fonts, and which agency's time-stamping unit
/// stamps the signatures. Built once at start.
#[derive(Clone)]
pub struct Issuer {
    keys: Arc<dyn KeyStore>,
    fonts: Option<Arc<Fonts>>,
    fonts_problem: Option<String>,
    tsa_agency: String,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("fonts", &self.fonts.is_some())
            .field("tsa_agency", &self.tsa_agency)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// Fonts come from `fonts_dir` (Debian's `fonts-nanum` by default). Without them the
    /// platform still runs, and issuing a document fails with a clear error.
    pub fn new(keys: Arc<dyn KeyStore>, fonts_dir: &std::path::Path, tsa_agency: &str) -> Issuer {
        let (fonts, fonts_problem) = match Fonts::nanum_gothic(fonts_dir) {
            Ok(f) => (Some(Arc::new(f)), None),
            Err(e) => {
                tracing::warn!(error = %e, "no fonts for official documents: install fonts-nanum or set civil.fonts_dir");
                (None, Some(e.to_string()))
            }
        };
        Issuer {
            keys,
            fonts,
            fonts_problem,
            tsa_agency: tsa_agency.to_owned(),
        }
    }
}

/// A document as the platform keeps it.
#[derive(Clone, Debug, Serialize)]
pub struct IssuedDocument {
    pub issue_number: String,
    pub application: String,
    pub document_type: String,
    pub agency: String,
    pub signed_by: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    /// Hex SHA-256 of the signed PDF.
    pub sha256: String,
    pub size: i64,
    /// The `DSN1:` payload of the QR seal.
    pub qr: String,
    pub status: String,
    /// Printed beside the issue number; checking a paper copy by number needs it.
    pub check_code: Option<String>,
}

/// The template a service's `document` names, if Dasan has one for it.
pub fn template_for(document: &str) -> Option<DocumentType> {
    match document {
        "resident-registration-certificate" => Some(DocumentType::ResidentRegistration),
        "family-relations-certificate" => Some(DocumentType::FamilyRelations),
        "decision-letter" => Some(DocumentType::DecisionLetter),
        "business-registration-certificate" => Some(DocumentType::BusinessRegistration),
        "tax-payment-certificate" => Some(DocumentType::TaxPayment),
        "land-register-extract" => Some(DocumentType::LandRegister),
        _ => None,
    }
}

/// How a certificate prints a legal form (Korean, then English).
fn legal_form(f: dasan_registry::LegalForm) -> &'static str {
    use dasan_registry::LegalForm::*;
    match f {
        SoleProprietor => "개인사업자 (Sole proprietor)",
        StockCompany => "주식회사 (Stock company)",
        LimitedCompany => "유한회사 (Limited company)",
        Partnership => "합명·합자회사 (Partnership)",
        NonProfit => "비영리법인 (Non-profit corporation)",
        PublicBody => "공공기관 (Public body)",
    }
}

fn business_status(s: dasan_registry::BusinessStatus) -> &'static str {
    use dasan_registry::BusinessStatus::*;
    match s {
        Active => "계속사업자 (Active)",
        Suspended => "휴업자 (Suspended)",
        Closed => "폐업자 (Closed)",
    }
}

/// The ISIC Rev. 4 section's name: what a certificate prints as the business type (업태).
fn isic_section_name(section: char) -> &'static str {
    match section {
        'A' => "농업, 임업 및 어업 (Agriculture, forestry and fishing)",
        'B' => "광업 (Mining and quarrying)",
        'C' => "제조업 (Manufacturing)",
        'D' => "전기, 가스, 증기 공급업 (Electricity, gas and steam supply)",
        'E' => "수도, 하수 및 폐기물 처리업 (Water supply, sewerage and waste)",
        'F' => "건설업 (Construction)",
        'G' => "도매 및 소매업 (Wholesale and retail trade)",
        'H' => "운수 및 창고업 (Transportation and storage)",
        'I' => "숙박 및 음식점업 (Accommodation and food service)",
        'J' => "정보통신업 (Information and communication)",
        'K' => "금융 및 보험업 (Financial and insurance activities)",
        'L' => "부동산업 (Real estate activities)",
        'M' => "전문, 과학 및 기술 서비스업 (Professional, scientific and technical activities)",
        'N' => "사업시설 관리 및 지원 서비스업 (Administrative and support services)",
        'O' => "공공 행정 및 국방 (Public administration and defence)",
        'P' => "교육 서비스업 (Education)",
        'Q' => "보건업 및 사회복지 서비스업 (Human health and social work)",
        'R' => "예술, 스포츠 및 여가 서비스업 (Arts, entertainment and recreation)",
        'S' => "기타 개인 서비스업 (Other service activities)",
        'T' => "가구 내 고용활동 (Activities of households as employers)",
        'U' => "국제 및 외국기관 (Extraterritorial organisations)",
        _ => "",
    }
}

/// The Korean label of the option the applicant chose for `field` (its value if none).
fn choice_label(def: &ServiceDefinition, app: &Application, field: &str) -> String {
    let value = app.answers.get(field).cloned().unwrap_or_default();
    def.fields()
        .find(|f| f.id == field)
        .and_then(|f| f.options.iter().find(|o| o.value == value))
        .map(|o| crate::definition::text(&o.label, "ko").to_owned())
        .unwrap_or(value)
}

/// A made document, not yet recorded.
pub(crate) struct Made {
    pub(crate) doc: IssuedDocument,
    pdf_key: String,
}

fn date(d: jiff::civil::Date) -> Date {
    Date::new(
        u16::try_from(d.year()).unwrap_or(0),
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )
}

fn date_of(t: Timestamp) -> Date {
    date(t.to_jiff().to_zoned(jiff::tz::TimeZone::UTC).date())
}

fn address(a: &dasan_registry::Address) -> String {
    let mut line = format!("{} {} {} {}", a.region, a.locality, a.street, a.building);
    if let Some(unit) = &a.unit {
        line.push_str(", ");
        line.push_str(unit);
    }
    line
}

/// A resident registration number as certificates print it: the birth part and the first
/// digit of the rest, the others hidden (the holder can ask a counter for the full number).
fn masked_id(id: &str) -> String {
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 13 {
        format!("{}-{}******", &digits[..6], &digits[6..7])
    } else {
        id.to_owned()
    }
}

fn person(p: &dasan_registry::Person) -> Person {
    Person {
        name: p.data.name_local.clone(),
        national_id: masked_id(&p.data.national_id),
        birth_date: date(p.data.birth_date),
    }
}

/// Whether `text` has the shape of an issue number (anything else matches no document, and
/// never reaches the database: PostgreSQL refuses some strings, such as those with NUL).
pub(crate) fn is_issue_number(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| {
            if i % 5 == 4 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// `NNNN-NNNN-NNNN-NNNN`: what people type to check a paper copy.
fn issue_number() -> String {
    let mut rng = rand::rng();
    (0..4)
        .map(|_| format!("{:04}", rng.random_range(0..10_000u32)))
        .collect::<Vec<_>>()
        .join("-")
}

/// Letters and digits that cannot be misread for one another (no 0/O, 1/I/L, 5/S, 8/B).
const CHECK_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY2346779";

/// Eight characters shown as `XXXX-XXXX` (about 38 bits): with the per-address limit on
/// failed checks, guessing the code of a known number is hopeless.
fn check_code() -> String {
    let mut rng = rand::rng();
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        code.push(char::from(
            CHECK_ALPHABET[rng.random_range(0..CHECK_ALPHABET.len())],
        ));
    }
    code
}

/// The canonical form of a typed check code: upper case, spaces and dashes dropped, then
/// `XXXX-XXXX`; `None` when it cannot be one.
fn canonical_check_code(text: &str) -> Option<String> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() != 8
        || !chars
            .iter()
            .all(|c| c.is_ascii() && CHECK_ALPHABET.contains(&(*c as u8)))
    {
        return None;
    }
    let mut code: String = chars[..4].iter().collect();
    code.push('-');
    code.extend(&chars[4..]);
    Some(code)
}

fn unavailable(why: impl std::fmt::Display) -> CivilError {
    tracing::error!(error = %why, "cannot issue an official document");
    CivilError::DocumentsUnavailable
}

impl Civil {
    /// Makes the application's document if its service produces one Dasan has a template for.
    /// `None`: the service issues no document (or no issuer is configured).
    pub(crate) async fn make_document(
        &self,
        app: &Application,
        def: &ServiceDefinition,
        reason: Option<&str>,
    ) -> Result<Option<Made>, CivilError> {
        let (Some(issuer), Some(kind)) = (
            self.issuer.as_ref(),
            def.document.as_deref().and_then(template_for),
        ) else {
            return Ok(None);
        };
        let blobs = self
            .blobs
            .clone()
            .ok_or_else(|| unavailable("no file store"))?;
        let fonts = issuer
            .fonts
            .clone()
            .ok_or_else(|| unavailable(issuer.fonts_problem.clone().unwrap_or_default()))?;
        let layout = dasan_crypto::published::load_layout(&self.db)
            .await?
            .ok_or_else(|| unavailable("no platform PKI: run `dasan pki init`"))?;
        let signing = self.signing_agency(&layout, &def.agency).await?;
        let now = self.db.clock().now();
        // The issuing agency reads the registry for this document; each read is logged for the
        // person to see.
        let actor = Actor {
            agency: Some(def.agency.clone()),
            ..Actor::system()
        };
        // An extract is about a parcel: nobody's personal record is read for it.
        let facts = if kind == DocumentType::LandRegister {
            self.land_facts(app, now).await?
        } else {
            let subject: PersonId = app
                .subject_person
                .as_deref()
                .and_then(|p| p.parse().ok())
                .ok_or(CivilError::NotFound)?;
            let holder = self
                .registry
                .person_as_of(actor.clone(), subject, now, PURPOSE)
                .await?;
            let business = match kind {
                DocumentType::BusinessRegistration | DocumentType::TaxPayment => {
                    Some(self.business_for(app, &holder, now).await?)
                }
                _ => None,
            };
            let mut relatives = Vec::new();
            if matches!(
                kind,
                DocumentType::ResidentRegistration | DocumentType::FamilyRelations
            ) {
                let d = &holder.data;
                let ids = d
                    .parents
                    .iter()
                    .map(|p| (*p, Relation::Father))
                    .chain(d.spouse.map(|s| (s, Relation::Spouse)))
                    .chain(holder.children.iter().map(|c| (*c, Relation::Child)));
                for (id, relation) in ids {
                    let p = self
                        .registry
                        .person_as_of(actor.clone(), id, now, PURPOSE)
                        .await?;
                    let relation = match (relation, p.data.sex) {
                        (Relation::Father, dasan_registry::Sex::Female) => Relation::Mother,
                        (r, _) => r,
                    };
                    relatives.push((relation, p));
                }
            }
            match kind {
                DocumentType::ResidentRegistration => {
                    let mut household = vec![HouseholdMember {
                        relation: Relation::Self_,
                        name: holder.data.name_local.clone(),
                        birth_date: date(holder.data.birth_date),
                        moved_in: date_of(holder.recorded_at),
                    }];
                    for (relation, p) in &relatives {
                        let at_home = p.data.address == holder.data.address
                            && p.data.status == dasan_registry::PersonStatus::Living;
                        if at_home {
                            household.push(HouseholdMember {
                                relation: relation.clone(),
                                name: p.data.name_local.clone(),
                                birth_date: date(p.data.birth_date),
                                moved_in: date_of(p.recorded_at),
                            });
                        }
                    }
                    Facts::ResidentRegistration(ResidentRegistration {
                        holder: person(&holder),
                        address: address(&holder.data.address),
                        moved_in: date_of(holder.recorded_at),
                        household_head: holder.data.name_local.clone(),
                        household,
                    })
                }
                DocumentType::FamilyRelations => Facts::FamilyRelations(FamilyRelations {
                    principal: person(&holder),
                    registration_base: format!(
                        "{} {}",
                        holder.data.address.region, holder.data.address.locality
                    ),
                    members: relatives
                        .iter()
                        .map(|(relation, p)| FamilyMember {
                            relation: relation.clone(),
                            person: person(p),
                        })
                        .collect(),
                }),
                DocumentType::DecisionLetter => {
                    Facts::DecisionLetter(dasan_docs::DecisionLetter {
                        recipient: holder.data.name_local.clone(),
                        recipient_address: address(&holder.data.address),
                        reference: app.receipt.clone().unwrap_or_default(),
                        subject: crate::definition::text(&def.name, "ko").to_owned(),
                        outcome: dasan_docs::Outcome::Granted,
                        body: vec![
                            format!(
                                "귀하의 신청({})이 승인되었습니다. / Your application ({}) was approved.",
                                crate::definition::text(&def.name, "ko"),
                                crate::definition::text(&def.name, "en"),
                            ),
                            reason.unwrap_or_default().to_owned(),
                        ]
                        .into_iter()
                        .filter(|l| !l.is_empty())
                        .collect(),
                        legal_basis: String::new(),
                        appeal: "이 처분에 이의가 있으면 90일 이내에 행정심판을 청구할 수 있습니다. / You may appeal within 90 days.".to_owned(),
                    })
                }
                DocumentType::BusinessRegistration => {
                    let (b, registered_on) = business.ok_or(CivilError::NotFound)?;
                    let d = &b.data;
                    let section = dasan_registry::isic_section(&d.industry).unwrap_or('?');
                    Facts::BusinessRegistration(dasan_docs::BusinessRegistration {
                        business_number: d.registration_number.clone(),
                        trade_name: d.name.clone(),
                        legal_form: legal_form(d.legal_form).to_owned(),
                        status: business_status(d.status).to_owned(),
                        representative: holder.data.name_local.clone(),
                        representative_birth_date: date(holder.data.birth_date),
                        address: address(&d.address),
                        business_type: format!("{section} {}", isic_section_name(section)),
                        business_item: format!("ISIC {}", d.industry),
                        opened_on: date_of(registered_on),
                        registered_on: date_of(registered_on),
                    })
                }
                DocumentType::TaxPayment => {
                    let (b, _) = business.ok_or(CivilError::NotFound)?;
                    let d = &b.data;
                    // A tax office certifies only what is true: with arrears there is no
                    // certificate, and nothing is issued.
                    if d.tax_standing == dasan_registry::TaxStanding::Arrears {
                        return Err(CivilError::TaxArrears);
                    }
                    Facts::TaxPayment(dasan_docs::TaxPayment {
                        business: Some((d.registration_number.clone(), d.name.clone())),
                        taxpayer: person(&holder),
                        address: address(&d.address),
                        purpose: choice_label(def, app, "use"),
                        // The registry keeps the standing, not the payments.
                        payments: Vec::new(),
                        arrears: None,
                    })
                }
                // Contracts are made by procurement, not applied for.
                DocumentType::LandRegister | DocumentType::ProcurementContract => return Ok(None),
            }
        };
        let agency = self.registry.agency(&def.agency).await?;
        let (name_ko, name_en) = agency
            .map(|a| (a.data.name_local, a.data.name_latin))
            .unwrap_or_else(|| (def.agency.clone(), def.agency.clone()));
        let issued_at = SystemTime::UNIX_EPOCH
            + Duration::from_micros(u64::try_from(now.as_micros()).unwrap_or(0));
        let spec = DocumentSpec {
            facts,
            issue_number: issue_number(),
            check_code: Some(check_code()),
            agency: Agency {
                code: def.agency.clone(),
                name_ko,
                name_en,
            },
            issued_at,
            utc_offset_minutes: 9 * 60,
            language: Language::Ko,
            layout: Layout::Bilingual,
            paper: Paper::A4,
        };
        let expires_at = issued_at + Duration::from_secs(VALID_DAYS * 86_400);
        // Rendering and signing are CPU work: off the async threads.
        let keys = issuer.keys.clone();
        let tsa_agency = issuer.tsa_agency.clone();
        let signer_code = signing.clone();
        let spec_for_pdf = spec.clone();
        let (pdf, qr) = tokio::task::spawn_blocking(move || {
            sign_document(
                &*keys,
                &layout,
                &fonts,
                &spec_for_pdf,
                &signer_code,
                &tsa_agency,
                expires_at,
            )
        })
        .await
        .map_err(unavailable)??;
        let sha256 = hex(&Sha256::digest(&pdf));
        let pdf_key = format!("documents/{sha256}.pdf");
        let size = i64::try_from(pdf.len()).unwrap_or(i64::MAX);
        blobs
            .put(
                &object_store::path::Path::from(pdf_key.as_str()),
                pdf.into(),
            )
            .await
            .map_err(unavailable)?;
        Ok(Some(Made {
            doc: IssuedDocument {
                issue_number: spec.issue_number,
                application: app.id.to_string(),
                document_type: kind.code().to_owned(),
                agency: def.agency.clone(),
                signed_by: signing,
                issued_at: now,
                expires_at: Timestamp::from_micros(
                    now.as_micros() + i64::try_from(VALID_DAYS * 86_400_000_000).unwrap_or(0),
                ),
                sha256,
                size,
                qr,
                status: "valid".to_owned(),
                check_code: spec.check_code,
            },
            pdf_key,
        }))
    }

    /// The business an application names (`business_number`), as the registry recorded it at
    /// `at`, with the moment it was first registered. Only its representative at that moment
    /// (the application's subject) may have its certificates.
    async fn business_for(
        &self,
        app: &Application,
        holder: &dasan_registry::Person,
        at: Timestamp,
    ) -> Result<(dasan_registry::Business, Timestamp), CivilError> {
        let field = |code: &'static str| {
            CivilError::Invalid(vec![dasan_kernel::FieldError::new("business_number", code)])
        };
        let number = app
            .answers
            .get("business_number")
            .cloned()
            .unwrap_or_default();
        let current = self
            .registry
            .business_by_number(&number)
            .await?
            .ok_or_else(|| field("civil-error-unknown-business"))?;
        let business = self
            .registry
            .business_as_of(current.id, at)
            .await?
            .ok_or_else(|| field("civil-error-unknown-business"))?;
        if business.data.representative != holder.id {
            return Err(field("civil-error-not-representative"));
        }
        let registered = self
            .registry
            .business_history(current.id)
            .await?
            .first()
            .map_or(business.recorded_at, |v| v.recorded_at);
        Ok((business, registered))
    }

    /// The facts of a land register extract: the parcel the application names, as registered
    /// at `at`. Extracts are public (as in Korea): anyone may have one for any parcel.
    async fn land_facts(&self, app: &Application, at: Timestamp) -> Result<Facts, CivilError> {
        let number = app
            .answers
            .get("parcel_number")
            .cloned()
            .unwrap_or_default();
        let parcel = self
            .registry
            .parcel_as_of(&number, at)
            .await?
            .ok_or_else(|| {
                CivilError::Invalid(vec![dasan_kernel::FieldError::new(
                    "parcel_number",
                    "civil-error-unknown-parcel",
                )])
            })?;
        let p = parcel.data;
        let (cat_ko, cat_en) = p.category.words();
        let mut owners = p.owners.clone();
        owners.sort_by_key(|o| o.acquired_on);
        let ownership = owners
            .iter()
            .zip(1u32..)
            .map(|(o, rank)| dasan_docs::RegisterEntry {
                rank,
                purpose: if o.share_numerator == o.share_denominator {
                    "소유권이전".to_owned()
                } else {
                    "지분이전".to_owned()
                },
                received_on: date(o.acquired_on),
                cause: format!("{} {}", o.acquired_on, o.cause),
                holder: format!(
                    "소유자 {} {} 지분 {}분의 {}",
                    o.name, o.identifier, o.share_denominator, o.share_numerator
                ),
            })
            .collect();
        let mut rights = p.encumbrances.clone();
        rights.sort_by_key(|e| e.registered_on);
        let other_rights = rights
            .iter()
            .zip(1u32..)
            .map(|(e, rank)| dasan_docs::RegisterEntry {
                rank,
                purpose: e.kind.words().0.to_owned(),
                received_on: date(e.registered_on),
                cause: format!("{} 설정계약", e.registered_on),
                holder: match e.amount_krw {
                    Some(a) => format!("{} 금{}원", e.holder, a),
                    None => e.holder.clone(),
                },
            })
            .collect();
        Ok(Facts::LandRegister(dasan_docs::LandRegister {
            parcel_number: p.parcel_number.clone(),
            location: format!(
                "{} {} {} {}",
                p.address.region, p.address.locality, p.address.street, p.address.building
            ),
            land_category: format!("{cat_ko} ({cat_en})"),
            area_m2: p.area_m2(),
            ownership,
            other_rights,
        }))
    }

    /// The agency whose document-signing certificate signs for `agency`: the agency itself or
    /// its nearest parent that has one (an office signs with its ministry's certificate).
    async fn signing_agency(&self, layout: &PkiLayout, agency: &str) -> Result<String, CivilError> {
        let mut code = agency.to_owned();
        for _ in 0..8 {
            let has_key = layout
                .agency(&code)
                .is_some_and(|a| a.end_entities.contains_key(&Purpose::DocumentSigning));
            if has_key {
                return Ok(code);
            }
            match self
                .registry
                .agency(&code)
                .await?
                .and_then(|a| a.data.parent)
            {
                Some(parent) if !parent.is_empty() => code = parent,
                _ => break,
            }
        }
        Err(unavailable(format!(
            "agency {agency} (and its parents) has no document-signing certificate in the platform PKI"
        )))
    }

    /// The application's documents, newest first (for those who may see the application).
    pub async fn documents(
        &self,
        principal: &dasan_identity::Principal,
        id: crate::ApplicationId,
    ) -> Result<Vec<IssuedDocument>, CivilError> {
        // Seeing the application is the permission to see its documents.
        self.application(principal, id).await?;
        let rows: Vec<DocumentRow> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT issue_number, application, document_type, agency, signed_by, issued_at, expires_at, \
             sha256, size, qr, status, check_code FROM civil_documents WHERE application = $1 ORDER BY issued_at DESC"
        )
        .bind(id.to_string())
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// Every document issued from the principal's own applications, newest first: their
    /// wallet.
    pub async fn my_documents(
        &self,
        principal: &dasan_identity::Principal,
    ) -> Result<Vec<IssuedDocument>, CivilError> {
        let rows: Vec<DocumentRow> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT d.issue_number, d.application, d.document_type, d.agency, d.signed_by, d.issued_at, \
             d.expires_at, d.sha256, d.size, d.qr, d.status, d.check_code FROM civil_documents d \
             JOIN civil_applications a ON a.id = d.application \
             WHERE a.applicant = $1 ORDER BY d.issued_at DESC LIMIT 200"
        )
        .bind(principal.account.to_string())
        .fetch_all(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// A document's signed PDF, for those who may see its application. The bytes are checked
    /// against the recorded hash: a file changed in storage is refused, never served.
    pub async fn document_pdf(
        &self,
        principal: &dasan_identity::Principal,
        id: crate::ApplicationId,
        issue_number: &str,
    ) -> Result<(IssuedDocument, Vec<u8>), CivilError> {
        let doc = self
            .documents(principal, id)
            .await?
            .into_iter()
            .find(|d| d.issue_number == issue_number)
            .ok_or(CivilError::NotFound)?;
        let bytes = self.stored_pdf(&doc).await?;
        Ok((doc, bytes))
    }

    /// The document's signed PDF from the file store, checked against its recorded hash.
    pub(crate) async fn stored_pdf(&self, doc: &IssuedDocument) -> Result<Vec<u8>, CivilError> {
        let blobs = self
            .blobs
            .clone()
            .ok_or_else(|| unavailable("no file store"))?;
        let key = format!("documents/{}.pdf", doc.sha256);
        let bytes = blobs
            .get(&object_store::path::Path::from(key.as_str()))
            .await
            .map_err(unavailable)?
            .bytes()
            .await
            .map_err(unavailable)?;
        if hex(&Sha256::digest(&bytes)) != doc.sha256 {
            return Err(unavailable(format!(
                "stored document {} does not match its hash",
                doc.issue_number
            )));
        }
        Ok(bytes.to_vec())
    }
}

pub(crate) type DocumentRow = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    i64,
    String,
    String,
    Option<String>,
);

pub(crate) fn from_row(r: DocumentRow) -> IssuedDocument {
    IssuedDocument {
        issue_number: r.0,
        application: r.1,
        document_type: r.2,
        agency: r.3,
        signed_by: r.4,
        issued_at: Timestamp::from_micros(r.5),
        expires_at: Timestamp::from_micros(r.6),
        sha256: r.7,
        size: r.8,
        qr: r.9,
        status: r.10,
        check_code: r.11,
    }
}

/// Records a made document within the issuing change.
pub(crate) async fn record(tx: &mut Tx, made: &Made) -> Result<(), CivilError> {
    let d = &made.doc;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO civil_documents (issue_number, application, document_type, agency, signed_by, \
         issued_at, expires_at, sha256, size, qr, status, check_code) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'valid', $11)"
    )
    .bind(&d.issue_number)
    .bind(&d.application)
    .bind(&d.document_type)
    .bind(&d.agency)
    .bind(&d.signed_by)
    .bind(d.issued_at.as_micros())
    .bind(d.expires_at.as_micros())
    .bind(&d.sha256)
    .bind(d.size)
    .bind(&d.qr)
    .bind(&d.check_code)
    .execute(c)
    .await
    .map(drop))
    .map_err(StoreError::from_sqlx)?;
    tx.record(
        "civil.document.issue",
        format!("document:{}", d.issue_number),
        serde_json::json!({
            "application": d.application,
            "type": d.document_type,
            "agency": d.agency,
            "signed_by": d.signed_by,
            "sha256": d.sha256,
            "expires_at": d.expires_at.as_micros(),
            "file": made.pdf_key,
        }),
    );
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Seals, renders and signs one document (blocking).
fn sign_document(
    keys: &dyn KeyStore,
    layout: &PkiLayout,
    fonts: &Fonts,
    spec: &DocumentSpec,
    signing_agency: &str,
    tsa_agency: &str,
    expires_at: SystemTime,
) -> Result<(Vec<u8>, String), CivilError> {
    let a = layout
        .agency(signing_agency)
        .ok_or_else(|| unavailable("signing agency left the PKI"))?;
    let ee = a
        .end_entities
        .get(&Purpose::DocumentSigning)
        .ok_or_else(|| unavailable("no document-signing key"))?;
    let tsa_a = layout
        .agency(tsa_agency)
        .ok_or_else(|| unavailable(format!("no time-stamping agency {tsa_agency} in the PKI")))?;
    let tsa_ee = tsa_a
        .end_entities
        .get(&Purpose::TimeStamping)
        .ok_or_else(|| unavailable(format!("{tsa_agency} has no time-stamping key")))?;
    let claims = Claims::from_spec(spec, expires_at).map_err(unavailable)?;
    let seal_signer = StoreSigner::new(keys, &ee.key).map_err(unavailable)?;
    let qr = make_qr_payload(&claims, &seal_signer, &ee.certificate.der).map_err(unavailable)?;
    let pdf = dasan_docs::render(spec, fonts, &qr).map_err(unavailable)?;
    let signer = DocumentSigner {
        signer: StoreSigner::new(keys, &ee.key).map_err(unavailable)?,
        certificate: ee.certificate.der.clone(),
        chain: vec![a.issuing_ca.certificate.der.clone()],
    };
    let signing_time = spec.issued_at;
    let tsa = LocalTsa::new(
        TimeStampAuthority::new(
            StoreSigner::new(keys, &tsa_ee.key).map_err(unavailable)?,
            &tsa_ee.certificate.der,
            vec![tsa_a.issuing_ca.certificate.der.clone()],
        )
        .map_err(unavailable)?,
        move || signing_time,
    );
    let ltv = LtvMaterial::from_layout(layout, signing_agency, tsa_agency)
        .ok_or_else(|| unavailable("no revocation material in the PKI layout"))?;
    let info = SignatureInfo {
        reason: Some("Official document issued by Dasan".to_owned()),
        location: None,
        name: Some(a.name.clone()),
    };
    let signed = sign_pades(
        &pdf,
        &signer,
        PadesLevel::BLT,
        signing_time,
        Some(&tsa),
        Some(&ltv),
        &info,
    )
    .map_err(unavailable)?;
    Ok((signed, qr))
}

/// What checking a document found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Signed by a platform key, on record, not revoked, not expired.
    Valid,
    /// Genuine, but the issuing agency revoked it.
    Revoked,
    /// Genuine, but past its seal's validity: ask for a current one.
    Expired,
    /// Altered, or not signed by any of the platform's document-signing keys.
    Forged,
    /// No document has this number (or the seal names a number we never issued).
    Unknown,
}

/// A check's result: the verdict and, for a genuine document, exactly what its seal attests.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    pub verdict: Verdict,
    pub attested: Option<Attested>,
    pub revoked_reason: Option<String>,
}

/// What a genuine seal attests: its claims, nothing more.
#[derive(Clone, Debug, Serialize)]
pub struct Attested {
    pub document_type: String,
    pub issue_number: String,
    /// The issuing agency's code.
    pub issuer: String,
    pub subject_id: String,
    pub subject_name: String,
    pub facts: Vec<(String, String)>,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

impl From<dasan_docs::seal::Claims> for Attested {
    fn from(c: dasan_docs::seal::Claims) -> Self {
        let at = |secs: u64| {
            Timestamp::from_micros(i64::try_from(secs).unwrap_or(0).saturating_mul(1_000_000))
        };
        Attested {
            document_type: c.document_type,
            issue_number: c.issue_number,
            issuer: c.issuer,
            subject_id: c.subject_id,
            subject_name: c.subject_name,
            facts: c.facts,
            issued_at: at(c.issued_at),
            expires_at: at(c.expires_at),
        }
    }
}

impl Verification {
    fn only(verdict: Verdict) -> Verification {
        Verification {
            verdict,
            attested: None,
            revoked_reason: None,
        }
    }
}

/// The platform's document-signing certificates (DER): what a seal must be signed by.
fn seal_certificates(layout: &PkiLayout) -> Vec<Vec<u8>> {
    layout
        .agencies
        .iter()
        .filter_map(|a| a.end_entities.get(&Purpose::DocumentSigning))
        .map(|ee| ee.certificate.der.clone())
        .collect()
}

impl Civil {
    /// Checks a QR seal's payload (`DSN1:…`): signature against the platform's
    /// document-signing certificates, then the record (revoked?) and the expiry.
    pub async fn verify_seal(&self, payload: &str) -> Result<Verification, CivilError> {
        let layout = dasan_crypto::published::load_layout(&self.db)
            .await?
            .ok_or_else(|| unavailable("no platform PKI"))?;
        let claims = match dasan_docs::seal::verify_qr_payload(payload, &seal_certificates(&layout))
        {
            Ok(c) => c,
            Err(_) => return Ok(Verification::only(Verdict::Forged)),
        };
        self.judge(claims).await
    }

    /// Checks a document by the issue number and check code printed on it (a document issued
    /// before check codes existed is found by its number alone). Callers rate-limit this:
    /// numbers must not be enumerable. A wrong code answers as an unknown number.
    pub async fn verify_number(
        &self,
        number: &str,
        check_code: &str,
    ) -> Result<Verification, CivilError> {
        let number = number.trim();
        if !is_issue_number(number) {
            return Ok(Verification::only(Verdict::Unknown));
        }
        let row: Option<(String, Option<String>)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT qr, check_code FROM civil_documents WHERE issue_number = $1"
        )
        .bind(number)
        .fetch_optional(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        match row {
            Some((qr, None)) => self.verify_seal(&qr).await,
            Some((qr, Some(code))) if canonical_check_code(check_code).as_ref() == Some(&code) => {
                self.verify_seal(&qr).await
            }
            _ => Ok(Verification::only(Verdict::Unknown)),
        }
    }

    async fn judge(&self, claims: dasan_docs::seal::Claims) -> Result<Verification, CivilError> {
        let row: Option<(String, Option<String>)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT status, revoked_reason FROM civil_documents WHERE issue_number = $1"
        )
        .bind(&claims.issue_number)
        .fetch_optional(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        let now = SystemTime::UNIX_EPOCH
            + Duration::from_micros(u64::try_from(self.db.clock().now().as_micros()).unwrap_or(0));
        let (verdict, revoked_reason) = match row {
            None => return Ok(Verification::only(Verdict::Unknown)),
            Some((status, reason)) if status == "revoked" => (Verdict::Revoked, reason),
            Some(_) if claims.is_expired_at(now) => (Verdict::Expired, None),
            Some(_) => (Verdict::Valid, None),
        };
        Ok(Verification {
            verdict,
            attested: Some(claims.into()),
            revoked_reason,
        })
    }

    /// The platform's RFC 3161 time-stamping service: a `TimeStampReq` in, a `TimeStampResp`
    /// out (a rejection is itself a well-formed response, as the RFC wants).
    pub async fn time_stamp(&self, request_der: Vec<u8>) -> Result<Vec<u8>, CivilError> {
        let issuer = self
            .issuer
            .clone()
            .ok_or_else(|| unavailable("no issuer configured"))?;
        let layout = dasan_crypto::published::load_layout(&self.db)
            .await?
            .ok_or_else(|| unavailable("no platform PKI"))?;
        let now = SystemTime::UNIX_EPOCH
            + Duration::from_micros(u64::try_from(self.db.clock().now().as_micros()).unwrap_or(0));
        tokio::task::spawn_blocking(move || {
            let a = layout
                .agency(&issuer.tsa_agency)
                .ok_or_else(|| unavailable("no time-stamping agency in the PKI"))?;
            let ee = a
                .end_entities
                .get(&Purpose::TimeStamping)
                .ok_or_else(|| unavailable("no time-stamping key"))?;
            let tsa = TimeStampAuthority::new(
                StoreSigner::new(&*issuer.keys, &ee.key).map_err(unavailable)?,
                &ee.certificate.der,
                vec![a.issuing_ca.certificate.der.clone()],
            )
            .map_err(unavailable)?;
            Ok(tsa.respond(&request_der, now))
        })
        .await
        .map_err(unavailable)?
    }
}

impl Civil {
    /// Revokes a document (an official of its agency, with a reason the holder and every
    /// checker is shown). The seal still verifies, so a checker learns it was genuine but is
    /// revoked; the holder is told.
    pub async fn revoke_document(
        &self,
        principal: &dasan_identity::Principal,
        id: crate::ApplicationId,
        issue_number: &str,
        reason: &str,
    ) -> Result<(), CivilError> {
        if !is_issue_number(issue_number) {
            return Err(CivilError::NotFound);
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(CivilError::Invalid(vec![dasan_kernel::FieldError::new(
                "reason",
                "civil-error-reason",
            )]));
        }
        let row: Option<(String, String, String)> = on_reader!(self.db, |p| sqlx::query_as(
            "SELECT application, agency, status FROM civil_documents WHERE issue_number = $1"
        )
        .bind(issue_number)
        .fetch_optional(p)
        .await)
        .map_err(StoreError::from_sqlx)?;
        let Some((application, agency, status)) = row.filter(|r| r.0 == id.to_string()) else {
            return Err(CivilError::NotFound);
        };
        if !Self::is_official_for(principal, &agency) {
            return Err(CivilError::NotFound);
        }
        if status == "revoked" {
            return Err(CivilError::Transition {
                action: "revoke",
                status: "revoked",
            });
        }
        let app_id: crate::ApplicationId = application.parse().map_err(|_| CivilError::NotFound)?;
        let app = self.application(principal, app_id).await?;
        let mut tx = self.db.begin(principal.actor(None)).await?;
        let now = tx.now().as_micros();
        let n = on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE civil_documents SET status = 'revoked', revoked_at = $2, revoked_reason = $3 \
             WHERE issue_number = $1 AND status = 'valid'"
        )
        .bind(issue_number)
        .bind(now)
        .bind(reason)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })
        .map_err(StoreError::from_sqlx)?;
        if n == 0 {
            tx.rollback().await?;
            return Err(CivilError::Stale);
        }
        tx.record(
            "civil.document.revoke",
            format!("document:{issue_number}"),
            serde_json::json!({ "application": application, "reason": reason }),
        );
        crate::application::notify(
            &mut tx,
            app.applicant,
            &format!("Document revoked: {issue_number} / 문서 취소: {issue_number}"),
            &format!(
                "The document {issue_number} was revoked: {reason}\n\
                 발급번호 {issue_number} 문서가 취소되었습니다: {reason}"
            ),
            &format!("/applications/{application}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_numbers_have_one_shape() {
        assert!(is_issue_number(&issue_number()));
        assert!(is_issue_number("0000-1234-5678-9999"));
        for bad in [
            "",
            "0000-1234-5678-999",
            "0000_1234_5678_9999",
            "0000-1234-5678-999\0",
            "٠٠٠٠-1234-5678-9999",
        ] {
            assert!(!is_issue_number(bad), "{bad:?}");
        }
    }
}
