//! Sample facts for every document type: used by the tests, the conformance samples and demo
//! data. Names and numbers are invented.

use std::time::SystemTime;

use crate::model::*;

fn date(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d)
}

fn krw(minor: i64) -> Amount {
    Amount {
        minor,
        currency: "KRW".into(),
    }
}

/// The sample issuing agency for a document type.
pub fn agency(t: DocumentType) -> Agency {
    let (code, ko, en) = match t {
        DocumentType::ResidentRegistration | DocumentType::FamilyRelations => {
            ("MOIS", "행정안전부", "Ministry of the Interior and Safety")
        }
        DocumentType::BusinessRegistration | DocumentType::TaxPayment => {
            ("NTS", "국세청", "National Tax Service")
        }
        DocumentType::LandRegister => ("SCOURT", "법원행정처 등기국", "Court Registry Office"),
        DocumentType::DecisionLetter => {
            ("MOIS", "행정안전부", "Ministry of the Interior and Safety")
        }
        DocumentType::ProcurementContract => ("PPS", "조달청", "Public Procurement Service"),
    };
    Agency {
        code: code.into(),
        name_ko: ko.into(),
        name_en: en.into(),
    }
}

fn hong() -> Person {
    Person {
        name: "홍길동 (HONG Gildong)".into(),
        national_id: "850315-1******".into(),
        birth_date: date(1985, 3, 15),
    }
}

/// Sample facts for `t`.
pub fn facts(t: DocumentType) -> Facts {
    match t {
        DocumentType::ResidentRegistration => Facts::ResidentRegistration(ResidentRegistration {
            holder: hong(),
            address: "서울특별시 종로구 세종대로 209, 정부서울청사 별관 101동 1203호 (세종로)".into(),
            moved_in: date(2019, 8, 1),
            household_head: "홍길동".into(),
            household: vec![
                HouseholdMember {
                    relation: Relation::Self_,
                    name: "홍길동".into(),
                    birth_date: date(1985, 3, 15),
                    moved_in: date(2019, 8, 1),
                },
                HouseholdMember {
                    relation: Relation::Spouse,
                    name: "김영희".into(),
                    birth_date: date(1987, 11, 2),
                    moved_in: date(2019, 8, 1),
                },
                HouseholdMember {
                    relation: Relation::Child,
                    name: "홍지우".into(),
                    birth_date: date(2020, 5, 30),
                    moved_in: date(2020, 6, 10),
                },
            ],
        }),
        DocumentType::FamilyRelations => Facts::FamilyRelations(FamilyRelations {
            principal: hong(),
            registration_base: "경기도 수원시 팔달구 효원로 1".into(),
            members: vec![
                FamilyMember {
                    relation: Relation::Father,
                    person: Person {
                        name: "홍판서".into(),
                        national_id: "550101-1******".into(),
                        birth_date: date(1955, 1, 1),
                    },
                },
                FamilyMember {
                    relation: Relation::Mother,
                    person: Person {
                        name: "춘섬".into(),
                        national_id: "580707-2******".into(),
                        birth_date: date(1958, 7, 7),
                    },
                },
                FamilyMember {
                    relation: Relation::Spouse,
                    person: Person {
                        name: "김영희".into(),
                        national_id: "871102-2******".into(),
                        birth_date: date(1987, 11, 2),
                    },
                },
                FamilyMember {
                    relation: Relation::Child,
                    person: Person {
                        name: "홍지우".into(),
                        national_id: "200530-4******".into(),
                        birth_date: date(2020, 5, 30),
                    },
                },
            ],
        }),
        DocumentType::BusinessRegistration => Facts::BusinessRegistration(BusinessRegistration {
            business_number: "123-45-67890".into(),
            trade_name: "다산소프트 (Dasan Soft)".into(),
            legal_form: "주식회사 (Stock company)".into(),
            status: "계속사업자 (Active)".into(),
            representative: "홍길동".into(),
            representative_birth_date: date(1985, 3, 15),
            address: "세종특별자치시 한누리대로 2130, 3층".into(),
            business_type: "정보통신업".into(),
            business_item: "응용 소프트웨어 개발 및 공급".into(),
            opened_on: date(2021, 4, 1),
            registered_on: date(2021, 4, 5),
        }),
        DocumentType::TaxPayment => Facts::TaxPayment(TaxPayment {
            business: None,
            taxpayer: hong(),
            address: "서울특별시 종로구 세종대로 209".into(),
            purpose: "금융기관 제출용 (대출)".into(),
            payments: vec![
                TaxItem {
                    tax: "종합소득세".into(),
                    period: "2025".into(),
                    paid_on: date(2026, 5, 31),
                    amount: krw(3_412_000),
                },
                TaxItem {
                    tax: "지방소득세".into(),
                    period: "2025".into(),
                    paid_on: date(2026, 5, 31),
                    amount: krw(341_200),
                },
                TaxItem {
                    tax: "재산세".into(),
                    period: "2025 하반기".into(),
                    paid_on: date(2025, 9, 30),
                    amount: krw(286_500),
                },
            ],
            arrears: None,
        }),
        DocumentType::LandRegister => Facts::LandRegister(LandRegister {
            parcel_number: "1111-1996-012345".into(),
            location: "서울특별시 종로구 청운동 1-23".into(),
            land_category: "대 (building site)".into(),
            area_m2: "330.5".into(),
            ownership: vec![
                RegisterEntry {
                    rank: 1,
                    purpose: "소유권보존".into(),
                    received_on: date(1996, 4, 2),
                    cause: "".into(),
                    holder: "소유자 홍판서 550101-1****** 서울특별시 종로구 청운동 1-23".into(),
                },
                RegisterEntry {
                    rank: 2,
                    purpose: "소유권이전".into(),
                    received_on: date(2024, 3, 15),
                    cause: "2024년 3월 1일 증여".into(),
                    holder: "소유자 홍길동 850315-1****** 서울특별시 종로구 세종대로 209".into(),
                },
            ],
            other_rights: vec![RegisterEntry {
                rank: 1,
                purpose: "근저당권설정".into(),
                received_on: date(2024, 4, 1),
                cause: "2024년 4월 1일 설정계약".into(),
                holder: "채권최고액 금 360,000,000원, 근저당권자 다산은행 주식회사".into(),
            }],
        }),
        DocumentType::DecisionLetter => Facts::DecisionLetter(DecisionLetter {
            recipient: "홍길동".into(),
            recipient_address: "서울특별시 종로구 세종대로 209".into(),
            reference: "APP-2026-000123".into(),
            subject: "주거급여 지급 신청에 대한 결정 (Housing benefit application)".into(),
            outcome: Outcome::PartlyGranted,
            body: vec![
                "귀하께서 2026년 2월 10일 신청하신 주거급여에 대하여 소득인정액과 가구원 수를 심사한 결과, 임차료 지원은 인정하되 수선유지비 지원은 대상 주택이 자가가 아니므로 인정하지 않기로 결정하였습니다.".into(),
                "We examined your application of 10 February 2026 for housing benefit against your household's recognised income and size. Rent support is granted; support for repairs is refused because you do not own the dwelling.".into(),
            ],
            legal_basis: "「국민기초생활 보장법」 제11조 및 「주거급여법」 제7조, 제8조".into(),
            appeal: "이 처분에 이의가 있으면 처분이 있음을 안 날부터 90일 이내에 행정심판 또는 행정소송을 제기할 수 있습니다. You may appeal within 90 days of learning of this decision.".into(),
        }),
        DocumentType::ProcurementContract => Facts::ProcurementContract(ProcurementContract {
            contract_number: "C-2026-000042".into(),
            tender_reference: "019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5b".into(),
            title: "세종대로 재포장 공사 (Repaving of Sejong-daero)".into(),
            entity: "조달청 (Public Procurement Service)".into(),
            supplier_name: "다산건설 주식회사 (Dasan Construction Co.)".into(),
            supplier_number: "123-45-67890".into(),
            lots: vec![ContractLot {
                lot_id: "1".into(),
                title: "북측 구간 (North section)".into(),
                price: krw(470_000_000),
            }],
            value: krw(470_000_000),
            period_start: date(2026, 4, 1),
            period_end: date(2026, 9, 30),
            milestones: vec![
                ContractMilestone {
                    id: "1".into(),
                    title: "기층 포장 (Base course)".into(),
                    due: date(2026, 6, 30),
                    amount: krw(200_000_000),
                },
                ContractMilestone {
                    id: "2".into(),
                    title: "표층 포장 및 준공 (Surface course and completion)".into(),
                    due: date(2026, 9, 30),
                    amount: krw(270_000_000),
                },
            ],
            payment_term_days: 14,
            amendment: None,
        }),
    }
}

/// A complete sample document.
pub fn spec(
    t: DocumentType,
    language: Language,
    layout: Layout,
    paper: Paper,
    issued_at: SystemTime,
) -> DocumentSpec {
    DocumentSpec {
        facts: facts(t),
        issue_number: format!("{}-2026-{:06}", agency(t).code, 1234 + t as usize),
        check_code: Some("ACDE-FGHJ".to_owned()),
        agency: agency(t),
        issued_at,
        utc_offset_minutes: 540,
        language,
        layout,
        paper,
    }
}
