//! Labels printed on documents, in English and Korean.
//!
//! Kept in the crate (not in the web's Fluent files) because a signed document must print the
//! same words whatever the web's translations say on the day; an enum makes a missing
//! translation a compile error.

use crate::model::{DocumentType, Language, Outcome, Relation};

/// Every label a template prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Label {
    IssueNumber,
    CheckCode,
    IssuedAt,
    IssuingAgency,
    Name,
    NationalId,
    BirthDate,
    Address,
    MovedIn,
    HouseholdHead,
    Household,
    Relation,
    RegistrationBase,
    Principal,
    FamilyMembers,
    BusinessNumber,
    TradeName,
    LegalForm,
    BusinessStatus,
    Representative,
    BusinessAddress,
    BusinessType,
    BusinessItem,
    OpenedOn,
    RegisteredOn,
    Taxpayer,
    Purpose,
    TaxesPaid,
    Tax,
    TaxPeriod,
    PaidOn,
    Amount,
    Arrears,
    NoArrears,
    ParcelNumber,
    Location,
    LandCategory,
    Area,
    Ownership,
    OtherRights,
    Rank,
    RegistrationPurpose,
    Received,
    Cause,
    Holder,
    NoEntries,
    Recipient,
    Reference,
    Subject,
    Decision,
    Reasons,
    LegalBasis,
    Appeal,
    CertifyStatement,
    NotifyStatement,
    ContractNumber,
    TenderReference,
    ContractObject,
    ProcuringEntity,
    Supplier,
    Parties,
    Lots,
    Lot,
    ContractValue,
    ContractPeriod,
    Milestones,
    DueDate,
    PaymentTerms,
    PaymentTermDays,
    AmendmentNumber,
    AmendmentReason,
    ContractStatement,
    VerifyNote,
    QrAlt,
}

impl Label {
    /// (English, Korean).
    fn pair(self) -> (&'static str, &'static str) {
        use Label::*;
        match self {
            IssueNumber => ("Issue No.", "발급번호"),
            CheckCode => ("Check code", "확인코드"),
            IssuedAt => ("Issued at", "발급일시"),
            IssuingAgency => ("Issuing agency", "발급기관"),
            Name => ("Name", "성명"),
            NationalId => ("Resident registration no.", "주민등록번호"),
            BirthDate => ("Date of birth", "생년월일"),
            Address => ("Address", "주소"),
            MovedIn => ("Date moved in", "전입일"),
            HouseholdHead => ("Head of household", "세대주"),
            Household => ("Household members", "세대 구성원"),
            Relation => ("Relation", "관계"),
            RegistrationBase => ("Place of family registration", "등록기준지"),
            Principal => ("Principal", "본인"),
            FamilyMembers => ("Family members", "가족 사항"),
            BusinessNumber => ("Business registration no.", "등록번호"),
            TradeName => ("Trade name", "상호"),
            LegalForm => ("Legal form", "법인 구분"),
            BusinessStatus => ("Status", "사업자 상태"),
            Representative => ("Representative", "대표자"),
            BusinessAddress => ("Place of business", "사업장 소재지"),
            BusinessType => ("Business type", "업태"),
            BusinessItem => ("Business item", "종목"),
            OpenedOn => ("Date opened", "개업일"),
            RegisteredOn => ("Date registered", "등록일"),
            Taxpayer => ("Taxpayer", "납세자"),
            Purpose => ("Purpose", "사용 목적"),
            TaxesPaid => ("Taxes paid", "납부 내역"),
            Tax => ("Tax", "세목"),
            TaxPeriod => ("Tax period", "과세기간"),
            PaidOn => ("Date paid", "납부일"),
            Amount => ("Amount", "금액"),
            Arrears => ("Taxes in arrears", "체납액"),
            NoArrears => ("None", "없음"),
            ParcelNumber => ("Parcel no.", "고유번호"),
            Location => ("Location", "소재지"),
            LandCategory => ("Land category", "지목"),
            Area => ("Area (m²)", "면적(㎡)"),
            Ownership => ("Section A: ownership", "갑구: 소유권에 관한 사항"),
            OtherRights => (
                "Section B: rights other than ownership",
                "을구: 소유권 이외의 권리에 관한 사항",
            ),
            Rank => ("Rank", "순위"),
            RegistrationPurpose => ("Purpose", "등기목적"),
            Received => ("Received", "접수"),
            Cause => ("Cause", "등기원인"),
            Holder => ("Right holder and particulars", "권리자 및 기타사항"),
            NoEntries => ("No entries", "기록사항 없음"),
            Recipient => ("To", "수신"),
            Reference => ("Reference", "관련 신청"),
            Subject => ("Subject", "제목"),
            Decision => ("Decision", "처분 결과"),
            Reasons => ("Reasons", "사유"),
            LegalBasis => ("Legal basis", "근거 법령"),
            Appeal => ("How to appeal", "불복 절차"),
            CertifyStatement => (
                "This is to certify that the above is correct as recorded at the time of issue.",
                "위와 같이 증명합니다.",
            ),
            NotifyStatement => (
                "You are hereby notified of the above decision.",
                "위와 같이 통지합니다.",
            ),
            ContractNumber => ("Contract no.", "계약번호"),
            TenderReference => ("Tender", "입찰공고번호"),
            ContractObject => ("Object of the contract", "계약명"),
            ProcuringEntity => ("Procuring entity", "발주기관"),
            Supplier => ("Supplier", "계약상대자"),
            Parties => ("Parties", "계약 당사자"),
            Lots => ("Lots awarded", "낙찰 분할 단위"),
            Lot => ("Lot", "분할 단위"),
            ContractValue => ("Contract value", "계약금액"),
            ContractPeriod => ("Contract period", "계약기간"),
            Milestones => ("Milestones and payments", "이행 단계 및 대금 지급"),
            DueDate => ("Due", "이행기한"),
            PaymentTerms => ("Payment terms", "대금 지급 조건"),
            PaymentTermDays => (
                "Each milestone is paid within this many days of its acceptance",
                "각 단계의 검사 합격일로부터 대금 지급 기한(일)",
            ),
            AmendmentNumber => ("Amendment no.", "변경 차수"),
            AmendmentReason => ("Reason for the amendment", "변경 사유"),
            ContractStatement => (
                "The procuring entity and the supplier agree to the terms above and sign this contract electronically.",
                "발주기관과 계약상대자는 위 계약 내용에 합의하여 전자서명합니다.",
            ),
            VerifyNote => (
                "This document is digitally signed (PAdES). Scan the QR code, or enter the issue number and check code, to verify it.",
                "이 문서는 전자서명(PAdES)되었습니다. QR 코드를 스캔하거나 발급번호와 확인코드를 입력하여 진위를 확인할 수 있습니다.",
            ),
            QrAlt => (
                "QR seal: a signed copy of this document's key facts for offline verification",
                "QR 봉인: 오프라인 진위 확인을 위한 이 문서 주요 사항의 서명본",
            ),
        }
    }

    /// The label in `lang`.
    pub fn text(self, lang: Language) -> &'static str {
        let (en, ko) = self.pair();
        match lang {
            Language::En => en,
            Language::Ko => ko,
        }
    }
}

/// A document type's title.
pub fn title(t: DocumentType, lang: Language) -> &'static str {
    let (en, ko) = match t {
        DocumentType::ResidentRegistration => {
            ("Certificate of Resident Registration", "주민등록표 등본")
        }
        DocumentType::FamilyRelations => ("Certificate of Family Relations", "가족관계증명서"),
        DocumentType::BusinessRegistration => {
            ("Certificate of Business Registration", "사업자등록증명")
        }
        DocumentType::TaxPayment => ("Certificate of Tax Payment", "납세증명서"),
        DocumentType::LandRegister => ("Land Register Extract", "등기사항전부증명서(토지)"),
        DocumentType::DecisionLetter => ("Notice of Decision", "처분 통지서"),
        DocumentType::ProcurementContract => ("Public Procurement Contract", "조달 계약서"),
    };
    match lang {
        Language::En => en,
        Language::Ko => ko,
    }
}

/// A relation's name.
pub fn relation(r: &Relation, lang: Language) -> String {
    let (en, ko) = match r {
        Relation::Self_ => ("Self", "본인"),
        Relation::Father => ("Father", "부"),
        Relation::Mother => ("Mother", "모"),
        Relation::Spouse => ("Spouse", "배우자"),
        Relation::Child => ("Child", "자녀"),
        Relation::Sibling => ("Sibling", "형제자매"),
        Relation::Other(s) => return s.clone(),
    };
    match lang {
        Language::En => en.to_owned(),
        Language::Ko => ko.to_owned(),
    }
}

/// An outcome's name.
pub fn outcome(o: Outcome, lang: Language) -> &'static str {
    let (en, ko) = match o {
        Outcome::Granted => ("Granted", "인용"),
        Outcome::PartlyGranted => ("Partly granted", "일부 인용"),
        Outcome::Refused => ("Refused", "기각"),
    };
    match lang {
        Language::En => en,
        Language::Ko => ko,
    }
}

/// "Page n of m".
pub fn page_of(n: usize, m: usize, lang: Language) -> String {
    match lang {
        Language::En => format!("Page {n} of {m}"),
        Language::Ko => format!("{n} / {m} 쪽"),
    }
}

/// An amount with thousands separators: `1,234,000 KRW` / `1,234,000원`.
pub fn amount(a: &crate::model::Amount, lang: Language) -> String {
    let digits = a.minor.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if a.minor < 0 { "-" } else { "" };
    // Only KRW is printed without a decimal part; other currencies are shown in minor units
    // with their code, which is exact if unusual.
    match (lang, a.currency.as_str()) {
        (Language::Ko, "KRW") => format!("{sign}{grouped}원"),
        _ => format!("{sign}{grouped} {}", a.currency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Amount;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        let a = |minor| Amount {
            minor,
            currency: "KRW".into(),
        };
        assert_eq!(amount(&a(1_234_000), Language::Ko), "1,234,000원");
        assert_eq!(amount(&a(1_234_000), Language::En), "1,234,000 KRW");
        assert_eq!(amount(&a(999), Language::En), "999 KRW");
        assert_eq!(amount(&a(-1000), Language::Ko), "-1,000원");
        assert_eq!(amount(&a(0), Language::Ko), "0원");
    }

    #[test]
    fn every_label_has_both_languages() {
        use Label::*;
        for l in [IssueNumber, VerifyNote, QrAlt, Holder, Appeal] {
            assert!(!l.text(Language::En).is_empty());
            assert_ne!(l.text(Language::En), l.text(Language::Ko));
        }
        for t in DocumentType::ALL {
            assert_ne!(title(t, Language::En), title(t, Language::Ko));
        }
    }
}
