//! Demo data for `dasan serve --demo`: documented accounts, never created otherwise.

use dasan_identity::{AccountKind, NewAccount, PLATFORM_ADMIN, RoleGrant};
use dasan_kernel::Actor;
use dasan_store::Database;

/// A demo account as printed at start and listed in the README.
#[derive(Clone, Debug)]
pub struct DemoAccount {
    pub role: &'static str,
    pub kind: AccountKind,
    pub name: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    /// Roles as (role, scope).
    pub roles: &'static [(&'static str, &'static str)],
    pub agency: Option<&'static str>,
}

/// The authenticator key of every demo official (Base32). Published on purpose: add it to an
/// authenticator app, or compute codes with `oathtool --totp -b KEY`.
pub const DEMO_TOTP_SECRET: &str = "MRQXGYLOFVSGK3LPFVZWKY3SMV2C2MJS";

const PASSWORD: &str = "dasan-demo-2026";

/// The demo accounts, in the order they are printed.
pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: "platform administrator",
        kind: AccountKind::Official,
        name: "Demo Administrator",
        email: "admin@demo.dasan.example",
        password: "dasan-demo-admin-2026",
        roles: &[(PLATFORM_ADMIN, "platform")],
        agency: None,
    },
    DemoAccount {
        role: "agency administrator",
        kind: AccountKind::Official,
        name: "김민지 Kim Min-ji",
        email: "agency.admin@mois.demo.dasan.example",
        password: PASSWORD,
        roles: &[("agency.admin", "MOIS")],
        agency: Some("MOIS"),
    },
    DemoAccount {
        role: "civil-service officer (Jongno service centre)",
        kind: AccountKind::Official,
        name: "이서준 Lee Seo-jun",
        email: "officer@mois.demo.dasan.example",
        password: PASSWORD,
        roles: &[("civil.officer", "MOIS-JONGNO")],
        agency: Some("MOIS-JONGNO"),
    },
    DemoAccount {
        role: "registrar at a service centre (issues sign-up codes)",
        kind: AccountKind::Official,
        name: "박지훈 Park Ji-hoon",
        email: "registrar@mois.demo.dasan.example",
        password: PASSWORD,
        roles: &[("civil.officer", "MOIS")],
        agency: Some("MOIS"),
    },
    DemoAccount {
        role: "citizen",
        kind: AccountKind::Citizen,
        name: "홍길동 Hong Gil-dong",
        email: "citizen@demo.dasan.example",
        password: PASSWORD,
        roles: &[],
        agency: None,
    },
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "this database already has administrators that are not demo accounts; --demo only runs on \
         an empty database or one it created, so that no account with a published password ever \
         appears in a real deployment"
    )]
    RealDatabase,
    #[error(transparent)]
    Identity(#[from] dasan_identity::IdentityError),
    #[error("demo registry: {0}")]
    Registry(#[from] dasan_registry::RegistryError),
}

/// Creates the demo accounts that do not exist yet (idempotent).
pub async fn load(db: &Database) -> Result<&'static [DemoAccount], DemoError> {
    let first = ACCOUNTS.first().map(|a| a.email).unwrap_or_default();
    if dasan_identity::platform_admin_exists(db).await?
        && !dasan_identity::account_exists(db, first).await?
    {
        return Err(DemoError::RealDatabase);
    }
    let mut new_citizen = None;
    for account in ACCOUNTS {
        if dasan_identity::account_exists(db, account.email).await? {
            continue;
        }
        let id = dasan_identity::create_account(
            db,
            Actor::system(),
            NewAccount {
                kind: account.kind,
                email: account.email.to_owned(),
                display_name: account.name.to_owned(),
                password: account.password.to_owned(),
                roles: account
                    .roles
                    .iter()
                    .map(|(role, scope)| RoleGrant {
                        role,
                        scope: (*scope).to_owned(),
                    })
                    .collect(),
                agency: account.agency.map(str::to_owned),
            },
        )
        .await?;
        if account.kind == AccountKind::Official {
            dasan_identity::totp::install_confirmed(db, id, DEMO_TOTP_SECRET).await?;
        }
        if account.kind == AccountKind::Citizen && new_citizen.is_none() {
            new_citizen = Some(id);
        }
    }
    load_registry(db, new_citizen).await?;
    Ok(ACCOUNTS)
}

/// A small demo country in the registries (idempotent). A newly created demo citizen is linked
/// to the first generated person, whom the tax agency then looks up once, so that "who looked
/// at my data" has something to show.
async fn load_registry(
    db: &Database,
    citizen: Option<dasan_identity::AccountId>,
) -> Result<(), DemoError> {
    use dasan_registry::demo::{DemoSpec, write_people};
    let registry = dasan_registry::Registry::new(db.clone());
    dasan_registry::demo::load(&registry, Actor::system(), &DemoSpec::SMALL).await?;
    let Some(citizen) = citizen else {
        return Ok(());
    };
    let mut people = Vec::new();
    write_people(
        &DemoSpec::SMALL,
        registry.scheme(),
        &mut people,
        dasan_registry::Format::Csv,
    )
    .map_err(|e| DemoError::Registry(dasan_registry::RegistryError::ImportFile(e.to_string())))?;
    let text = String::from_utf8_lossy(&people);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let column = header.iter().position(|h| *h == "national_id");
    let first = lines.next().unwrap_or_default();
    let Some(national_id) = column.and_then(|c| first.split(',').nth(c)) else {
        return Ok(());
    };
    let Some(person) = registry
        .find_person(Actor::system(), national_id, "account-linking")
        .await?
    else {
        return Ok(());
    };
    dasan_identity::link_person(db, Actor::system(), citizen, &person.to_string()).await?;
    let mut tax = Actor::system();
    tax.agency = Some("NTS".to_owned());
    registry
        .lookup(
            tax,
            &dasan_registry::LookupRequest {
                subject: person,
                fields: [
                    dasan_registry::PersonField::NameLocal,
                    dasan_registry::PersonField::Address,
                ]
                .into_iter()
                .collect(),
                purpose: "tax-assessment".to_owned(),
                requester: "NTS".to_owned(),
            },
        )
        .await?;
    Ok(())
}

/// The demo PKI: the example spec from the documentation, publishing CRLs under `base_url`.
pub fn pki_spec(base_url: &str) -> anyhow::Result<dasan_crypto::pki::PkiSpec> {
    let mut spec: dasan_crypto::pki::PkiSpec =
        toml::from_str(include_str!("../docs/pki-spec.example.toml"))?;
    spec.crl_base_url = format!("{}/pki/crl", base_url.trim_end_matches('/'));
    spec.root.common_name = "Dasan Demo Root CA".to_owned();
    Ok(spec)
}

/// The demo's e-procurement accounts: a procurement officer and two evaluators of the Public
/// Procurement Service (the opening committee, with the officer), and the representative of a
/// demo business registered as a supplier.
pub const PROCUREMENT_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: "procurement officer (PPS)",
        kind: AccountKind::Official,
        name: "정하늘 Jung Ha-neul",
        email: "officer@pps.demo.dasan.example",
        password: PASSWORD,
        roles: &[("procurement.officer", "PPS")],
        agency: Some("PPS"),
    },
    DemoAccount {
        role: "tender committee member",
        kind: AccountKind::Official,
        name: "최유나 Choi Yu-na",
        email: "committee1@pps.demo.dasan.example",
        password: PASSWORD,
        roles: &[("procurement.evaluator", "PPS")],
        agency: Some("PPS"),
    },
    DemoAccount {
        role: "tender committee member",
        kind: AccountKind::Official,
        name: "강도윤 Kang Do-yun",
        email: "committee2@pps.demo.dasan.example",
        password: PASSWORD,
        roles: &[("procurement.evaluator", "PPS")],
        agency: Some("PPS"),
    },
    DemoAccount {
        role: "supplier (representative)",
        kind: AccountKind::Citizen,
        name: "demo supplier",
        email: "supplier@demo.dasan.example",
        password: PASSWORD,
        roles: &[],
        agency: None,
    },
];

/// The committee's private HPKE keys (X25519, hex), in committee order: published on purpose,
/// so that the demo tender can be opened after its opening time (member `i` holds share `i`).
pub const DEMO_COMMITTEE_KEYS: [&str; 3] = [
    "4141414141414141414141414141414141414141414141414141414141414141",
    "4242424242424242424242424242424242424242424242424242424242424242",
    "4343434343434343434343434343434343434343434343434343434343434343",
];

/// The demo tender's title (one open demo tender is kept accepting bids).
pub const DEMO_TENDER_TITLE: &str = "세종대로 포장 보수공사 (Repaving of Sejong-daero)";

#[derive(Debug, thiserror::Error)]
pub enum DemoProcurementError {
    #[error(transparent)]
    Identity(#[from] dasan_identity::IdentityError),
    #[error("demo registry: {0}")]
    Registry(#[from] dasan_registry::RegistryError),
    #[error("demo procurement: {0}")]
    Procurement(#[from] dasan_procurement::ProcurementError),
    #[error("demo procurement: {0}")]
    Other(String),
}

/// The demo's e-procurement (idempotent, after [`load`]): the accounts above, committee keys,
/// the first trading demo business registered as a supplier with its representative as an
/// authorised bidder (through the portal's form, or with their own key once registered), and
/// one open tender closing on the hour about a week ahead — published again whenever none is
/// open.
pub async fn load_procurement(
    db: &Database,
    procurement: &dasan_procurement::Procurement,
) -> Result<&'static [DemoAccount], DemoProcurementError> {
    use dasan_identity::{Assurance, Principal};
    use dasan_procurement::notice::*;
    use dasan_procurement::{MemberSecretKey, PublishRequest, SupplierDetails};
    let registry = dasan_registry::Registry::new(db.clone());
    let mut principals = Vec::new();
    for account in PROCUREMENT_ACCOUNTS {
        let created = if dasan_identity::account_exists(db, account.email).await? {
            false
        } else {
            let id = dasan_identity::create_account(
                db,
                Actor::system(),
                NewAccount {
                    kind: account.kind,
                    email: account.email.to_owned(),
                    display_name: account.name.to_owned(),
                    password: account.password.to_owned(),
                    roles: account
                        .roles
                        .iter()
                        .map(|(role, scope)| RoleGrant {
                            role,
                            scope: (*scope).to_owned(),
                        })
                        .collect(),
                    agency: account.agency.map(str::to_owned),
                },
            )
            .await?;
            if account.kind == AccountKind::Official {
                dasan_identity::totp::install_confirmed(db, id, DEMO_TOTP_SECRET).await?;
            }
            true
        };
        let id = dasan_identity::verify_password(db, account.email, account.password)
            .await?
            .ok_or_else(|| DemoProcurementError::Other(format!("{} changed", account.email)))?;
        principals.push((account, id, created));
    }
    let official = |i: usize| -> Option<Principal> {
        let (account, id, _) = principals.get(i)?;
        Some(Principal {
            account: *id,
            kind: AccountKind::Official,
            display_name: account.name.to_owned(),
            agency: account.agency.map(str::to_owned),
            person: None,
            business: None,
            roles: account
                .roles
                .iter()
                .map(|(role, scope)| RoleGrant {
                    role,
                    scope: (*scope).to_owned(),
                })
                .collect(),
            assurance: Assurance::Multi,
            scopes: None,
        })
    };
    let missing = || DemoProcurementError::Other("demo accounts".into());
    let officer = official(0).ok_or_else(missing)?;
    let mut committee = Vec::new();
    for (i, hex) in DEMO_COMMITTEE_KEYS.iter().enumerate() {
        let member = official(i).ok_or_else(missing)?;
        let mut bytes = [0u8; 32];
        for (j, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(hex.get(2 * j..2 * j + 2).unwrap_or("00"), 16).unwrap_or(0);
        }
        let secret = MemberSecretKey::from_bytes(&bytes)
            .map_err(|e| DemoProcurementError::Other(e.to_string()))?;
        procurement
            .register_member_key(&member, secret.public_key())
            .await?;
        committee.push(member.account);
    }

    // The supplier: the first trading business of the demo registry, its representative the
    // demo supplier account.
    let (_, supplier_account, created) = principals.get(3).copied().ok_or_else(missing)?;
    let business = first_trading_business(&registry).await?;
    if let Some(business) = &business {
        let person = business.data.representative.to_string();
        if created {
            dasan_identity::link_person(db, Actor::system(), supplier_account, &person).await?;
        }
        let rep = Principal {
            account: supplier_account,
            kind: AccountKind::Citizen,
            display_name: "demo supplier".into(),
            agency: None,
            person: Some(person),
            business: None,
            roles: Vec::new(),
            assurance: Assurance::Single,
            scopes: None,
        };
        if procurement.supplier(business.id).await.is_err() {
            procurement
                .register_supplier(
                    &rep,
                    business.id,
                    SupplierDetails {
                        categories: vec!["cpv:45000000".into(), "cpv:45233120".into()],
                        licences: Vec::new(),
                        bank_account: dasan_procurement::BankAccount {
                            bank: "다산은행 Dasan Bank".into(),
                            account_number: "100-2026-300400".into(),
                            holder: business.data.name.clone(),
                        },
                        contact_email: "supplier@demo.dasan.example".into(),
                    },
                )
                .await?;
            procurement
                .authorise_bidder(&rep, business.id, supplier_account, None)
                .await?;
        }
    }

    // One open tender.
    if !procurement
        .published()
        .await?
        .iter()
        .any(|t| t.title == DEMO_TENDER_TITLE)
    {
        let now = db.clock().now();
        let deadline = ceil_hour(dasan_kernel::Timestamp::from_micros(
            now.as_micros() + 7 * 24 * HOUR_US,
        ));
        let free = procurement.free_hours(deadline, 1).await?;
        let deadline = free.first().copied().unwrap_or(deadline);
        let d = deadline.as_micros();
        let item = |description: &str, classification: &str, quantity: u64, unit: &str| Item {
            description: description.into(),
            classification: classification.into(),
            quantity,
            unit: unit.into(),
        };
        let notice = TenderNotice {
            title: DEMO_TENDER_TITLE.into(),
            description: "세종대로 광화문–시청 구간의 아스팔트 포장 보수와 차선 도색. \
                          Asphalt repaving and road markings between Gwanghwamun and City Hall."
                .into(),
            method: Method::Open,
            invited: Vec::new(),
            lots: vec![
                Lot {
                    id: "1".into(),
                    title: "북측 구간 North section".into(),
                    items: vec![item(
                        "아스팔트 포장 Asphalt paving",
                        "cpv:45233120",
                        12_000,
                        "MTK",
                    )],
                },
                Lot {
                    id: "2".into(),
                    title: "남측 구간 South section".into(),
                    items: vec![item("차선 도색 Road markings", "cpv:45233221", 3, "KMT")],
                },
            ],
            estimated_value: "KRW"
                .parse()
                .ok()
                .map(|krw| dasan_kernel::Money::new(1_200_000_000, krw)),
            estimated_value_public: false,
            eligibility: Eligibility {
                categories: vec!["cpv:45".into()],
                licences: Vec::new(),
                criteria: Vec::new(),
            },
            evaluation: Evaluation {
                method: EvaluationMethod::AdequacyReview,
                criteria: Vec::new(),
                tie_break: "earliest receipt of the bid".into(),
            },
            bid_security: Some(BidSecurity {
                rate_bp: 500,
                forms: vec!["guarantee".into()],
            }),
            documents: Vec::new(),
            timeline: Timeline {
                clarification_deadline: dasan_kernel::Timestamp::from_micros(d - 48 * HOUR_US),
                bid_deadline: deadline,
                opening_at: dasan_kernel::Timestamp::from_micros(d + HOUR_US),
            },
            amendment_rule: AmendmentRule {
                material_extension_hours: 72,
            },
            reserve_price: Some(ReserveRule {
                base_amount: 1_150_000_000,
                band_bp: 200,
            }),
        };
        procurement
            .publish(
                &officer,
                PublishRequest {
                    notice,
                    committee,
                    threshold: 2,
                },
            )
            .await?;
    }
    Ok(PROCUREMENT_ACCOUNTS)
}

/// The first trading business of the demo registry (by the order the demo writes them).
async fn first_trading_business(
    registry: &dasan_registry::Registry,
) -> Result<Option<dasan_registry::Business>, DemoProcurementError> {
    use dasan_registry::demo::{DemoSpec, write_businesses, write_people};
    let mut people = Vec::new();
    let reps = write_people(
        &DemoSpec::SMALL,
        registry.scheme(),
        &mut people,
        dasan_registry::Format::Csv,
    )
    .map_err(|e| DemoProcurementError::Other(e.to_string()))?;
    let mut businesses = Vec::new();
    write_businesses(
        &DemoSpec::SMALL,
        &reps,
        &mut businesses,
        dasan_registry::Format::Csv,
    )
    .map_err(|e| DemoProcurementError::Other(e.to_string()))?;
    let text = String::from_utf8_lossy(&businesses);
    for line in text.lines().skip(1) {
        let number = line.split(',').next().unwrap_or_default();
        if let Some(b) = registry.business_by_number(number).await?
            && b.data.status == dasan_registry::BusinessStatus::Active
        {
            return Ok(Some(b));
        }
    }
    Ok(None)
}
