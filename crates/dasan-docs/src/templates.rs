//! Templates: facts → a flow of blocks (title, field lists, tables, paragraphs) that the
//! renderer lays out on pages.

use crate::labels::{self, Label};
use crate::model::{DocumentSpec, Facts, Language, Layout, Person, RegisterEntry};

/// A label as printed: one line per language (Korean first in the bilingual layout).
pub(crate) type LabelText = Vec<String>;

/// One block of the document flow.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Block {
    /// Section heading.
    Heading(LabelText),
    /// Label/value rows.
    Fields(Vec<(LabelText, String)>),
    /// A table: column headers, relative column widths, rows.
    Table {
        headers: Vec<LabelText>,
        widths: Vec<f32>,
        rows: Vec<Vec<String>>,
    },
    /// A paragraph of running text.
    Paragraph(String),
}

/// How labels and enumerated values are worded for this document.
pub(crate) struct Words {
    pub lang: Language,
    pub layout: Layout,
}

impl Words {
    pub(crate) fn new(spec: &DocumentSpec) -> Words {
        Words {
            lang: spec.language,
            layout: spec.layout,
        }
    }

    pub(crate) fn label(&self, l: Label) -> LabelText {
        match self.layout {
            Layout::Single => vec![l.text(self.lang).to_owned()],
            Layout::Bilingual => vec![
                l.text(Language::Ko).to_owned(),
                l.text(Language::En).to_owned(),
            ],
        }
    }

    /// An enumerated value: `부 (Father)` in the bilingual layout.
    fn value(&self, f: impl Fn(Language) -> String) -> String {
        match self.layout {
            Layout::Single => f(self.lang),
            Layout::Bilingual => format!("{} ({})", f(Language::Ko), f(Language::En)),
        }
    }

    /// The language used for running text and values.
    fn text_lang(&self) -> Language {
        match self.layout {
            Layout::Single => self.lang,
            Layout::Bilingual => Language::Ko,
        }
    }

    /// Statement text: both languages in the bilingual layout.
    pub(crate) fn statement(&self, l: Label) -> Vec<String> {
        match self.layout {
            Layout::Single => vec![l.text(self.lang).to_owned()],
            Layout::Bilingual => vec![
                l.text(Language::Ko).to_owned(),
                l.text(Language::En).to_owned(),
            ],
        }
    }
}

fn person_fields(w: &Words, p: &Person) -> Vec<(LabelText, String)> {
    vec![
        (w.label(Label::Name), p.name.clone()),
        (w.label(Label::NationalId), p.national_id.clone()),
        (w.label(Label::BirthDate), p.birth_date.iso()),
    ]
}

fn register_table(w: &Words, entries: &[RegisterEntry]) -> Block {
    if entries.is_empty() {
        return Block::Paragraph(w.value(|l| Label::NoEntries.text(l).to_owned()));
    }
    Block::Table {
        headers: vec![
            w.label(Label::Rank),
            w.label(Label::RegistrationPurpose),
            w.label(Label::Received),
            w.label(Label::Cause),
            w.label(Label::Holder),
        ],
        widths: vec![0.08, 0.17, 0.15, 0.25, 0.35],
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    e.rank.to_string(),
                    e.purpose.clone(),
                    e.received_on.iso(),
                    e.cause.clone(),
                    e.holder.clone(),
                ]
            })
            .collect(),
    }
}

/// The body blocks of a document (the renderer adds the title, issue details and footer).
pub(crate) fn body(spec: &DocumentSpec) -> Vec<Block> {
    let w = Words::new(spec);
    let mut out = Vec::new();
    match &spec.facts {
        Facts::ResidentRegistration(r) => {
            let mut f = person_fields(&w, &r.holder);
            f.push((w.label(Label::Address), r.address.clone()));
            f.push((w.label(Label::MovedIn), r.moved_in.iso()));
            f.push((w.label(Label::HouseholdHead), r.household_head.clone()));
            out.push(Block::Fields(f));
            out.push(Block::Heading(w.label(Label::Household)));
            out.push(Block::Table {
                headers: vec![
                    w.label(Label::Relation),
                    w.label(Label::Name),
                    w.label(Label::BirthDate),
                    w.label(Label::MovedIn),
                ],
                widths: vec![0.25, 0.3, 0.225, 0.225],
                rows: r
                    .household
                    .iter()
                    .map(|m| {
                        vec![
                            w.value(|l| labels::relation(&m.relation, l)),
                            m.name.clone(),
                            m.birth_date.iso(),
                            m.moved_in.iso(),
                        ]
                    })
                    .collect(),
            });
        }
        Facts::FamilyRelations(r) => {
            out.push(Block::Heading(w.label(Label::Principal)));
            let mut f = person_fields(&w, &r.principal);
            f.push((
                w.label(Label::RegistrationBase),
                r.registration_base.clone(),
            ));
            out.push(Block::Fields(f));
            out.push(Block::Heading(w.label(Label::FamilyMembers)));
            out.push(Block::Table {
                headers: vec![
                    w.label(Label::Relation),
                    w.label(Label::Name),
                    w.label(Label::BirthDate),
                    w.label(Label::NationalId),
                ],
                widths: vec![0.22, 0.26, 0.22, 0.30],
                rows: r
                    .members
                    .iter()
                    .map(|m| {
                        vec![
                            w.value(|l| labels::relation(&m.relation, l)),
                            m.person.name.clone(),
                            m.person.birth_date.iso(),
                            m.person.national_id.clone(),
                        ]
                    })
                    .collect(),
            });
        }
        Facts::BusinessRegistration(b) => {
            out.push(Block::Fields(vec![
                (w.label(Label::BusinessNumber), b.business_number.clone()),
                (w.label(Label::TradeName), b.trade_name.clone()),
                (w.label(Label::LegalForm), b.legal_form.clone()),
                (w.label(Label::BusinessStatus), b.status.clone()),
                (w.label(Label::Representative), b.representative.clone()),
                (w.label(Label::BirthDate), b.representative_birth_date.iso()),
                (w.label(Label::BusinessAddress), b.address.clone()),
                (w.label(Label::BusinessType), b.business_type.clone()),
                (w.label(Label::BusinessItem), b.business_item.clone()),
                (w.label(Label::OpenedOn), b.opened_on.iso()),
                (w.label(Label::RegisteredOn), b.registered_on.iso()),
            ]));
        }
        Facts::TaxPayment(t) => {
            if let Some((number, name)) = &t.business {
                out.push(Block::Fields(vec![
                    (w.label(Label::BusinessNumber), number.clone()),
                    (w.label(Label::TradeName), name.clone()),
                ]));
            }
            out.push(Block::Heading(w.label(Label::Taxpayer)));
            let mut f = person_fields(&w, &t.taxpayer);
            f.push((w.label(Label::Address), t.address.clone()));
            f.push((w.label(Label::Purpose), t.purpose.clone()));
            f.push((
                w.label(Label::Arrears),
                match &t.arrears {
                    Some(a) if a.minor != 0 => labels::amount(a, w.text_lang()),
                    _ => w.value(|l| Label::NoArrears.text(l).to_owned()),
                },
            ));
            out.push(Block::Fields(f));
            out.push(Block::Heading(w.label(Label::TaxesPaid)));
            out.push(Block::Table {
                headers: vec![
                    w.label(Label::Tax),
                    w.label(Label::TaxPeriod),
                    w.label(Label::PaidOn),
                    w.label(Label::Amount),
                ],
                widths: vec![0.34, 0.18, 0.2, 0.28],
                rows: t
                    .payments
                    .iter()
                    .map(|p| {
                        vec![
                            p.tax.clone(),
                            p.period.clone(),
                            p.paid_on.iso(),
                            labels::amount(&p.amount, w.text_lang()),
                        ]
                    })
                    .collect(),
            });
        }
        Facts::LandRegister(l) => {
            out.push(Block::Fields(vec![
                (w.label(Label::ParcelNumber), l.parcel_number.clone()),
                (w.label(Label::Location), l.location.clone()),
                (w.label(Label::LandCategory), l.land_category.clone()),
                (w.label(Label::Area), l.area_m2.clone()),
            ]));
            out.push(Block::Heading(w.label(Label::Ownership)));
            out.push(register_table(&w, &l.ownership));
            out.push(Block::Heading(w.label(Label::OtherRights)));
            out.push(register_table(&w, &l.other_rights));
        }
        Facts::DecisionLetter(d) => {
            out.push(Block::Fields(vec![
                (w.label(Label::Recipient), d.recipient.clone()),
                (w.label(Label::Address), d.recipient_address.clone()),
                (w.label(Label::Reference), d.reference.clone()),
                (w.label(Label::Subject), d.subject.clone()),
                (
                    w.label(Label::Decision),
                    w.value(|l| labels::outcome(d.outcome, l).to_owned()),
                ),
            ]));
            out.push(Block::Heading(w.label(Label::Reasons)));
            out.extend(d.body.iter().map(|p| Block::Paragraph(p.clone())));
            out.push(Block::Heading(w.label(Label::LegalBasis)));
            out.push(Block::Paragraph(d.legal_basis.clone()));
            out.push(Block::Heading(w.label(Label::Appeal)));
            out.push(Block::Paragraph(d.appeal.clone()));
        }
        Facts::ProcurementContract(c) => {
            let lang = w.text_lang();
            let mut f = vec![
                (w.label(Label::ContractNumber), c.contract_number.clone()),
                (w.label(Label::TenderReference), c.tender_reference.clone()),
                (w.label(Label::ContractObject), c.title.clone()),
            ];
            if let Some((version, reason)) = &c.amendment {
                f.push((w.label(Label::AmendmentNumber), version.to_string()));
                f.push((w.label(Label::AmendmentReason), reason.clone()));
            }
            out.push(Block::Fields(f));
            out.push(Block::Heading(w.label(Label::Parties)));
            out.push(Block::Fields(vec![
                (w.label(Label::ProcuringEntity), c.entity.clone()),
                (w.label(Label::Supplier), c.supplier_name.clone()),
                (w.label(Label::BusinessNumber), c.supplier_number.clone()),
            ]));
            out.push(Block::Heading(w.label(Label::Lots)));
            out.push(Block::Table {
                headers: vec![
                    w.label(Label::Lot),
                    w.label(Label::Subject),
                    w.label(Label::Amount),
                ],
                widths: vec![0.15, 0.55, 0.30],
                rows: c
                    .lots
                    .iter()
                    .map(|l| {
                        vec![
                            l.lot_id.clone(),
                            l.title.clone(),
                            labels::amount(&l.price, lang),
                        ]
                    })
                    .collect(),
            });
            out.push(Block::Fields(vec![
                (
                    w.label(Label::ContractValue),
                    labels::amount(&c.value, lang),
                ),
                (
                    w.label(Label::ContractPeriod),
                    format!("{} ~ {}", c.period_start.iso(), c.period_end.iso()),
                ),
            ]));
            out.push(Block::Heading(w.label(Label::Milestones)));
            out.push(Block::Table {
                headers: vec![
                    w.label(Label::Rank),
                    w.label(Label::Subject),
                    w.label(Label::DueDate),
                    w.label(Label::Amount),
                ],
                widths: vec![0.1, 0.45, 0.18, 0.27],
                rows: c
                    .milestones
                    .iter()
                    .map(|m| {
                        vec![
                            m.id.clone(),
                            m.title.clone(),
                            m.due.iso(),
                            labels::amount(&m.amount, lang),
                        ]
                    })
                    .collect(),
            });
            out.push(Block::Heading(w.label(Label::PaymentTerms)));
            out.push(Block::Fields(vec![(
                w.label(Label::PaymentTermDays),
                c.payment_term_days.to_string(),
            )]));
        }
    }
    out
}
