//! What a document says: typed facts per document type, as of the issuing moment.
//!
//! The caller reads the registry *as of* the moment of issue and fills these structures; this
//! crate never looks anything up. Names, addresses and free text are shown as given (they are
//! the record's own words, often Korean); labels come from [`crate::labels`].

use std::time::SystemTime;

/// The document types Dasan issues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentType {
    /// 주민등록표 등본: resident registration certificate.
    ResidentRegistration,
    /// 가족관계증명서: family relations certificate.
    FamilyRelations,
    /// 사업자등록증명: business registration certificate.
    BusinessRegistration,
    /// 납세증명서: tax payment certificate.
    TaxPayment,
    /// 토지 등기사항증명서: land register extract.
    LandRegister,
    /// 처분 통지서: a generic decision letter.
    DecisionLetter,
    /// 조달 계약서: a public procurement contract, signed by the procuring entity and the
    /// supplier.
    ProcurementContract,
}

impl DocumentType {
    /// Every document type.
    pub const ALL: [DocumentType; 7] = [
        DocumentType::ResidentRegistration,
        DocumentType::FamilyRelations,
        DocumentType::BusinessRegistration,
        DocumentType::TaxPayment,
        DocumentType::LandRegister,
        DocumentType::DecisionLetter,
        DocumentType::ProcurementContract,
    ];

    /// Stable code, used in the QR claims and file names.
    pub fn code(self) -> &'static str {
        match self {
            DocumentType::ResidentRegistration => "resident-registration",
            DocumentType::FamilyRelations => "family-relations",
            DocumentType::BusinessRegistration => "business-registration",
            DocumentType::TaxPayment => "tax-payment",
            DocumentType::LandRegister => "land-register",
            DocumentType::DecisionLetter => "decision-letter",
            DocumentType::ProcurementContract => "procurement-contract",
        }
    }

    /// The type with this [`code`](Self::code).
    pub fn from_code(code: &str) -> Option<DocumentType> {
        DocumentType::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// Language of a single-language document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// English.
    En,
    /// Korean.
    #[default]
    Ko,
}

impl Language {
    /// BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ko => "ko",
        }
    }
}

/// Page layout of the labels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Labels in [`DocumentSpec::language`] only.
    #[default]
    Single,
    /// The official bilingual form: every label in Korean with the English beneath.
    Bilingual,
}

/// Paper size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in PDF points.
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// A calendar date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
}

impl Date {
    /// A date.
    pub const fn new(year: u16, month: u8, day: u8) -> Self {
        Date { year, month, day }
    }

    /// ISO 8601 (`2026-03-01`), the form used on documents and in claims.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// An amount in minor units of a currency (KRW has none, so minor = won).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amount {
    /// Minor units.
    pub minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

/// The issuing agency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agency {
    /// Short code (as in the PKI, e.g. `MOIS`).
    pub code: String,
    /// Korean name.
    pub name_ko: String,
    /// English name.
    pub name_en: String,
}

/// The person a document is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Name as registered.
    pub name: String,
    /// National identifier as it may be printed (the caller masks what the law asks to mask).
    pub national_id: String,
    /// Date of birth.
    pub birth_date: Date,
}

/// Facts of a resident registration certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResidentRegistration {
    /// The holder.
    pub holder: Person,
    /// Current registered address.
    pub address: String,
    /// Date the holder moved in.
    pub moved_in: Date,
    /// Head of household's name.
    pub household_head: String,
    /// Members of the household (including the holder).
    pub household: Vec<HouseholdMember>,
}

/// One member of a household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdMember {
    /// Relation to the head of household.
    pub relation: Relation,
    /// Name.
    pub name: String,
    /// Date of birth.
    pub birth_date: Date,
    /// Date moved in.
    pub moved_in: Date,
}

/// A family relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The principal or head of household.
    Self_,
    /// Father.
    Father,
    /// Mother.
    Mother,
    /// Spouse.
    Spouse,
    /// Child.
    Child,
    /// Sibling.
    Sibling,
    /// Any other relation, in the record's words.
    Other(String),
}

/// Facts of a family relations certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyRelations {
    /// The principal.
    pub principal: Person,
    /// Place of family registration (등록기준지).
    pub registration_base: String,
    /// Parents, spouse and children.
    pub members: Vec<FamilyMember>,
}

/// One family member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyMember {
    /// Relation to the principal.
    pub relation: Relation,
    /// The person.
    pub person: Person,
}

/// Facts of a business registration certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessRegistration {
    /// Business registration number (사업자등록번호).
    pub business_number: String,
    /// Trade name.
    pub trade_name: String,
    /// Legal form, as printed (e.g. `주식회사 (stock company)`).
    pub legal_form: String,
    /// Whether the business trades, as printed (e.g. `계속사업자 (active)`).
    pub status: String,
    /// Representative.
    pub representative: String,
    /// Representative's date of birth.
    pub representative_birth_date: Date,
    /// Place of business.
    pub address: String,
    /// Business type (업태).
    pub business_type: String,
    /// Business item (종목).
    pub business_item: String,
    /// Date business opened.
    pub opened_on: Date,
    /// Date registered.
    pub registered_on: Date,
}

/// Facts of a tax payment certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxPayment {
    /// The business the certificate is about (number, trade name), when the taxpayer is one;
    /// `taxpayer` is then its representative.
    pub business: Option<(String, String)>,
    /// Taxpayer.
    pub taxpayer: Person,
    /// Taxpayer's address.
    pub address: String,
    /// Purpose stated by the applicant.
    pub purpose: String,
    /// Taxes paid in the period the certificate covers.
    pub payments: Vec<TaxItem>,
    /// Whether any tax is in arrears (a tax payment certificate certifies there is none).
    pub arrears: Option<Amount>,
}

/// One tax paid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxItem {
    /// Tax (e.g. 종합소득세, property tax).
    pub tax: String,
    /// Tax period (free text, e.g. `2025`).
    pub period: String,
    /// Date paid.
    pub paid_on: Date,
    /// Amount paid.
    pub amount: Amount,
}

/// Facts of a land register extract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LandRegister {
    /// Unique parcel number (고유번호).
    pub parcel_number: String,
    /// Location.
    pub location: String,
    /// Land category (지목).
    pub land_category: String,
    /// Area in square metres, as printed (e.g. `330.5`).
    pub area_m2: String,
    /// Ownership section (갑구) entries, oldest first.
    pub ownership: Vec<RegisterEntry>,
    /// Other rights (을구: mortgages, leases), oldest first.
    pub other_rights: Vec<RegisterEntry>,
}

/// One entry of a register section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterEntry {
    /// Rank number (순위번호).
    pub rank: u32,
    /// Purpose of registration (e.g. 소유권이전).
    pub purpose: String,
    /// Date received.
    pub received_on: Date,
    /// Cause (e.g. 2024년 3월 1일 매매).
    pub cause: String,
    /// Right holder and other particulars.
    pub holder: String,
}

/// The outcome of a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Granted in full.
    Granted,
    /// Granted in part.
    PartlyGranted,
    /// Refused.
    Refused,
}

/// Facts of a generic decision letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionLetter {
    /// Addressee.
    pub recipient: String,
    /// Addressee's address.
    pub recipient_address: String,
    /// The application or case number the decision answers.
    pub reference: String,
    /// Subject line.
    pub subject: String,
    /// The outcome.
    pub outcome: Outcome,
    /// Body paragraphs (the reasons), in the agency's words.
    pub body: Vec<String>,
    /// Legal basis.
    pub legal_basis: String,
    /// How to appeal, and by when.
    pub appeal: String,
}

/// One lot of a procurement contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractLot {
    /// The lot's id in the tender.
    pub lot_id: String,
    /// The lot's title.
    pub title: String,
    /// The awarded price.
    pub price: Amount,
}

/// One milestone (deliverable) of a procurement contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractMilestone {
    /// Short id (`1`, `2`, ...).
    pub id: String,
    /// What is delivered.
    pub title: String,
    /// When it is due.
    pub due: Date,
    /// What is paid for it once accepted.
    pub amount: Amount,
}

/// Facts of a public procurement contract (or of one amendment of it: the whole contract as
/// amended, with the amendment's number and reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcurementContract {
    /// The contract's number.
    pub contract_number: String,
    /// The tender it was awarded in.
    pub tender_reference: String,
    /// The object of the contract (the tender's title).
    pub title: String,
    /// The procuring entity's name.
    pub entity: String,
    /// The supplier's trade name.
    pub supplier_name: String,
    /// The supplier's business registration number.
    pub supplier_number: String,
    /// The lots awarded to the supplier.
    pub lots: Vec<ContractLot>,
    /// The contract value.
    pub value: Amount,
    /// First day of the contract period.
    pub period_start: Date,
    /// Last day of the contract period.
    pub period_end: Date,
    /// Milestones, in order.
    pub milestones: Vec<ContractMilestone>,
    /// Days after a milestone's acceptance within which it is paid.
    pub payment_term_days: u32,
    /// For an amendment: its version (2, 3, ...) and reason.
    pub amendment: Option<(u32, String)>,
}

/// The facts of one document; the variant decides the template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Facts {
    /// Resident registration certificate.
    ResidentRegistration(ResidentRegistration),
    /// Family relations certificate.
    FamilyRelations(FamilyRelations),
    /// Business registration certificate.
    BusinessRegistration(BusinessRegistration),
    /// Tax payment certificate.
    TaxPayment(TaxPayment),
    /// Land register extract.
    LandRegister(LandRegister),
    /// Generic decision letter.
    DecisionLetter(DecisionLetter),
    /// Public procurement contract.
    ProcurementContract(ProcurementContract),
}

impl Facts {
    /// The document type these facts fill.
    pub fn document_type(&self) -> DocumentType {
        match self {
            Facts::ResidentRegistration(_) => DocumentType::ResidentRegistration,
            Facts::FamilyRelations(_) => DocumentType::FamilyRelations,
            Facts::BusinessRegistration(_) => DocumentType::BusinessRegistration,
            Facts::TaxPayment(_) => DocumentType::TaxPayment,
            Facts::LandRegister(_) => DocumentType::LandRegister,
            Facts::DecisionLetter(_) => DocumentType::DecisionLetter,
            Facts::ProcurementContract(_) => DocumentType::ProcurementContract,
        }
    }
}

/// Everything needed to render one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSpec {
    /// The facts (and so the template).
    pub facts: Facts,
    /// Issue number, unique per document (printed and in the QR claims).
    pub issue_number: String,
    /// Short code printed beside the issue number; a paper copy is checked online by both.
    pub check_code: Option<String>,
    /// Issuing agency.
    pub agency: Agency,
    /// Moment of issue (the facts are as of this moment).
    pub issued_at: SystemTime,
    /// Offset of the local time printed on the document, in minutes east of UTC (Korea: 540).
    pub utc_offset_minutes: i32,
    /// Language of a single-language document (and of values such as dates and amounts).
    pub language: Language,
    /// Single-language or bilingual labels.
    pub layout: Layout,
    /// Paper size.
    pub paper: Paper,
}
