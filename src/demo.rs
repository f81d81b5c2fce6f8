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
        role: "border officer (Incheon airport)",
        kind: AccountKind::Official,
        name: "최유나 Choi Yu-na",
        email: "border.officer@kis.demo.dasan.example",
        password: PASSWORD,
        roles: &[("border.officer", "KIS-ICN")],
        agency: Some("KIS-ICN"),
    },
    DemoAccount {
        role: "border administrator (gates, watchlists)",
        kind: AccountKind::Official,
        name: "정하늘 Jung Ha-neul",
        email: "border.admin@kis.demo.dasan.example",
        password: PASSWORD,
        roles: &[("border.admin", "KIS")],
        agency: Some("KIS"),
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
    #[error("demo border: {0}")]
    Border(#[from] dasan_border::store::BorderError),
    #[error("demo border: {0:#}")]
    BorderSetup(#[from] anyhow::Error),
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

// ---------------------------------------------------------------------------------------------
// Smart border clearance.

/// The demo's gate, registered at the demo's port.
pub const DEMO_GATE: &str = "ICN-T1-G01";
/// The demo's port of entry.
pub const DEMO_PORT: &str = "ICN";
/// The states whose test passports the demo trusts (MRZ code, ISO alpha-2).
pub const DEMO_STATES: &[(&str, &str)] = &[("KOR", "KR"), ("USA", "US"), ("CHN", "CN")];

/// Reproducible demo secret bytes: published on purpose (demo data only).
fn demo_seed(label: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(format!("dasan-demo-border/{label}").as_bytes()).into()
}

fn demo_time(secs: u64) -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)
}

/// A demo state's test passport PKI: its CSCA and its document signer, from published seeds,
/// so that `serve --demo` and `gate simulate` make the same keys independently.
pub fn demo_pki(
    state: &str,
) -> anyhow::Result<(
    dasan_mrtd::factory::TestCertificate,
    dasan_mrtd::factory::TestCertificate,
)> {
    use dasan_mrtd::factory::{TestKey, make_csca_with_key, make_document_signer_with_key};
    let alpha2 = DEMO_STATES
        .iter()
        .find(|(a3, _)| *a3 == state)
        .map(|(_, a2)| *a2)
        .ok_or_else(|| anyhow::anyhow!("{state} is not a demo state"))?;
    let err = |e: dasan_mrtd::factory::FactoryError| anyhow::anyhow!("demo PKI: {e}");
    // 2025-01-01 .. 2040-01-01 and 2025-06-01 .. 2036-01-01.
    let csca = make_csca_with_key(
        alpha2,
        TestKey::p256_from_bytes(&demo_seed(&format!("csca-{state}"))).map_err(err)?,
        demo_time(1_735_689_600),
        demo_time(2_208_988_800),
    )
    .map_err(err)?;
    let signer = make_document_signer_with_key(
        &csca,
        TestKey::p256_from_bytes(&demo_seed(&format!("ds-{state}"))).map_err(err)?,
        "demo",
        demo_time(1_748_736_000),
        demo_time(2_082_758_400),
    )
    .map_err(err)?;
    Ok((csca, signer))
}

/// The demo's trust anchors: every demo state's CSCA and a current, empty CRL.
pub fn border_trust() -> anyhow::Result<crate::border::ExtraTrust> {
    let mut extra = crate::border::ExtraTrust::default();
    let now = std::time::SystemTime::now();
    let day = std::time::Duration::from_secs(86_400);
    for (state, _) in DEMO_STATES {
        let (csca, _) = demo_pki(state)?;
        let crl = dasan_mrtd::factory::make_crl(&csca, &[], now - day, now + 3650 * day)
            .map_err(|e| anyhow::anyhow!("demo CRL: {e}"))?;
        extra.csca_der.push(csca.der.clone());
        extra.crl_der.push(crl);
    }
    Ok(extra)
}

/// The demo gate's device key (Ed25519 from a published seed).
pub fn demo_gate_key() -> crate::gatesim::GateKey {
    crate::gatesim::GateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&demo_seed(DEMO_GATE)))
}

/// A small synthetic national watchlist (invented names; no real person).
pub const DEMO_WATCHLIST_CSV: &str = "id,kind,name,aliases,birth_dates,nationalities,documents,listed_on\n\
    DEMO-1,individual,PARK MYUNG HO,박명호|BAK MYEONG HO,1975-03-02,KOR,,2024-05-01\n\
    DEMO-2,individual,RI CHOL SU,리철수,1970-05-01,PRK,,2023-01-10\n\
    DEMO-3,individual,OKAFOR CHIDI EMEKA,,1968,NGA,,2022-07-19\n\
    DEMO-4,individual,MORALES VEGA JUAN CARLOS,JUAN MORALES,1981-11-23,COL|VEN,,2021-03-04\n\
    DEMO-5,individual,HAN SEUNG WOO,한승우,1979-08-14,KOR,,2025-02-11\n";

/// Listed travellers for the simulator: name, birth date (YYMMDD) and state.
pub const DEMO_LISTED: &[(&str, &str, &str, &str)] = &[
    ("PARK", "MYUNG HO", "750302", "KOR"),
    ("HAN", "SEUNG WOO", "790814", "KOR"),
];

/// A demo lost/stolen list: the simulator's `L…` passports.
pub fn demo_lost_stolen_csv() -> String {
    let mut csv =
        String::from("issuing_state,document_number,document_type,reported_on,reference\n");
    for i in 0..50 {
        csv.push_str(&format!("KOR,L{i:08},P,2026-01-15,DEMO-SLTD-{i}\n"));
    }
    csv
}

/// Demo overstayers: foreigners admitted in the past for a stay that has ended. The simulator
/// sends them out through the gate (REFER: overstay).
pub fn demo_overstayer(i: usize) -> crate::gatesim::Traveller {
    let mut t = crate::gatesim::Traveller::new(
        "USA",
        "WALKER",
        &format!(
            "SAM {}",
            ["A", "B", "C", "D", "E", "F", "G", "H", "J", "K"][i % 10]
        ),
        &format!("X{i:08}"),
        "850101",
        "320101",
    );
    t.sex = dasan_mrtd::Sex::Male;
    t
}

/// How many demo overstayers there are.
pub const DEMO_OVERSTAYERS: usize = 10;

/// The border demo (idempotent): the demo gate, the watchlist, the lost/stolen list, a few
/// referrals waiting at the port, and overstayers admitted in the past.
pub async fn load_border(
    config: &dasan_config::Config,
    border: &dasan_border::store::Border,
) -> Result<(), DemoError> {
    use dasan_border::gate::Direction;
    use dasan_border::store::{BorderError, NewGateDevice, SignedGateRequest};
    match border.gate_device(DEMO_GATE).await {
        Ok(_) => return Ok(()),
        Err(BorderError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let key = demo_gate_key();
    border
        .register_gate(
            Actor::system(),
            NewGateDevice {
                id: DEMO_GATE.to_owned(),
                port: DEMO_PORT.to_owned(),
                public_key_spki_der: key.public_key_der()?,
            },
        )
        .await?;
    border
        .import_national_list(
            Actor::system(),
            "DEMO",
            "demo-1",
            DEMO_WATCHLIST_CSV.as_bytes(),
        )
        .await?;
    border
        .import_lost_stolen(
            Actor::system(),
            "DEMO-SLTD",
            "demo-1",
            demo_lost_stolen_csv().as_bytes(),
        )
        .await?;
    // A few travellers the gate refers, so the officers' queue is not empty.
    let (_, kor) = demo_pki("KOR")?;
    let listed =
        crate::gatesim::Traveller::new("KOR", "PARK", "MYUNG HO", "M70000001", "750302", "330101");
    let forged =
        crate::gatesim::Traveller::new("KOR", "LEE", "SOO JIN", "M70000002", "900412", "310505");
    let lost =
        crate::gatesim::Traveller::new("KOR", "YOON", "JI WOO", "L00000001", "881120", "300303");
    let chips = [
        (listed.chip(&kor)?, Direction::Entry),
        (forged.chip(&kor)?.with_altered_dg1(), Direction::Entry),
        (lost.chip(&kor)?, Direction::Exit),
    ];
    for (chip, direction) in chips {
        let request = crate::gatesim::gate_request(&chip, DEMO_GATE, DEMO_PORT, direction);
        let (body, signature) = crate::gatesim::sign_request(
            &key,
            &request,
            border.db().clock().now().as_micros(),
            &crate::gatesim::nonce(),
        )?;
        border
            .gate_decide(&SignedGateRequest {
                gate_id: DEMO_GATE.to_owned(),
                body,
                signature,
            })
            .await?;
    }
    load_overstayers(config, border, &key).await?;
    // A traveller who pre-registered online and is expected at the enrolment desk, so the
    // desk's queue is not empty either.
    let (_, usa) = demo_pki("USA")?;
    let chip =
        crate::gatesim::Traveller::new("USA", "MILLER", "GRACE", "P55500001", "880917", "331130")
            .chip(&usa)?;
    border
        .pre_register(
            Actor::system(),
            dasan_border::store::PreRegistration {
                mrz: chip.mrz_lines.join("\n"),
                contact: "grace.miller@example.com".to_owned(),
                consent_version: border.config().enrolment.consent_version.clone(),
                consent_given: true,
            },
        )
        .await?;
    Ok(())
}

/// Admits the demo overstayers 120 days ago (through a second connection whose clock is set
/// back), each for 30 days.
async fn load_overstayers(
    config: &dasan_config::Config,
    border: &dasan_border::store::Border,
    key: &crate::gatesim::GateKey,
) -> Result<(), DemoError> {
    use dasan_border::gate::Direction;
    use dasan_border::store::{Border, OfficerDecision, SignedGateRequest};
    use dasan_kernel::{Clock, ManualClock, Timestamp};
    use std::sync::Arc;
    let then = border
        .db()
        .clock()
        .now()
        .as_micros()
        .saturating_sub(120 * 86_400 * 1_000_000);
    let clock = ManualClock::new(Timestamp::from_micros(then));
    let mut db = crate::open_database(config)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    db.configure(
        Arc::new(dasan_store::TableAuditHook),
        Arc::new(clock.clone()),
    );
    let extra = border_trust()?;
    let mut trust = dasan_mrtd::TrustStore::new();
    for der in &extra.csca_der {
        trust
            .add_csca_der(der)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    for der in &extra.crl_der {
        trust.add_crl_der(der).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let past = Border::open(db.clone(), border.config().clone(), trust).await?;
    let (_, usa) = demo_pki("USA")?;
    let mut officer = Actor::system();
    officer.agency = Some("KIS-ICN".to_owned());
    let until = dasan_border::CalendarDate::from_unix_micros(then + 30 * 86_400 * 1_000_000)
        .ok_or_else(|| anyhow::anyhow!("date"))?;
    for i in 0..DEMO_OVERSTAYERS {
        let chip = demo_overstayer(i).chip(&usa)?;
        let request = crate::gatesim::gate_request(&chip, DEMO_GATE, DEMO_PORT, Direction::Entry);
        let (body, signature) = crate::gatesim::sign_request(
            key,
            &request,
            clock.now().as_micros(),
            &crate::gatesim::nonce(),
        )?;
        let out = past
            .gate_decide(&SignedGateRequest {
                gate_id: DEMO_GATE.to_owned(),
                body,
                signature,
            })
            .await?;
        if let Some(referral) = out.referral_id {
            past.decide_referral(
                officer.clone(),
                &referral,
                1,
                OfficerDecision::Admit {
                    permitted_until: Some(until),
                },
                "Demo: admitted for 30 days pending enrolment.",
            )
            .await?;
        }
        clock.advance(std::time::Duration::from_secs(60));
    }
    db.close().await;
    Ok(())
}

/// The demo's e-procurement accounts: a procurement officer and two evaluators of the Public
/// Procurement Service (the opening committee, with the officer), the representative of a
/// demo business registered as a supplier, a business owner who is not one yet, and the review
/// body that decides complaints.
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
    DemoAccount {
        role: "business representative, not yet a supplier",
        kind: AccountKind::Citizen,
        name: "demo business owner",
        email: "owner@demo.dasan.example",
        password: PASSWORD,
        roles: &[],
        agency: None,
    },
    // Last: the accounts above are used by position.
    DemoAccount {
        role: "procurement review body (decides complaints in every agency)",
        kind: AccountKind::Official,
        name: "한결 Han Gyeol",
        email: "review@demo.dasan.example",
        password: PASSWORD,
        roles: &[("procurement.officer", "platform")],
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
    let trading = trading_businesses(&registry, 2).await?;
    // The second trading business's representative has an account but no supplier
    // registration: the one to try the registration page with.
    if let (Some(second), Some((_, owner, true))) = (trading.get(1), principals.get(4).copied()) {
        let person = second.data.representative.to_string();
        dasan_identity::link_person(db, Actor::system(), owner, &person).await?;
    }
    let business = trading.into_iter().next();
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
            // Two lots, so lowest price (the adequacy review's planned price is one per
            // tender); bids under 80 % of the lot's mean must be explained (저가심의).
            evaluation: Evaluation {
                method: EvaluationMethod::LowestPrice {
                    abnormally_low: Some(AbnormallyLowRule {
                        reference: LowBidReference::MeanOfBids,
                        threshold_bp: 8_000,
                        action: LowBidAction::Justify,
                        min_bids: 0,
                    }),
                },
                tie_break: TieBreak::EarliestSubmission,
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

/// The first `n` trading businesses of the demo registry (by the order the demo writes them).
async fn trading_businesses(
    registry: &dasan_registry::Registry,
    n: usize,
) -> Result<Vec<dasan_registry::Business>, DemoProcurementError> {
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
    let mut found = Vec::new();
    for line in text.lines().skip(1) {
        let number = line.split(',').next().unwrap_or_default();
        if let Some(b) = registry.business_by_number(number).await?
            && b.data.status == dasan_registry::BusinessStatus::Active
        {
            found.push(b);
            if found.len() == n {
                break;
            }
        }
    }
    Ok(found)
}

/// The title of the demo's finished procurement (see [`load_procurement_history`]).
pub const DEMO_AWARDED_TITLE: &str =
    "광화문광장 보도 보수공사 (Pavement repair at Gwanghwamun Square)";

/// The demo's procurement history (idempotent, after [`load_procurement`]): one tender run
/// through the whole cycle 30 days ago — published with a three-day tender period, one bid
/// from the demo supplier, closed, opened by two committee members, evaluated at the lowest
/// price, awarded, and final after the standstill — through a second database handle whose
/// clock is set back (as the border demo does). So the OCDS export has an award stage and the
/// transparency pages have red flags to show (a single bidder and a short tender period).
pub async fn load_procurement_history(
    config: &dasan_config::Config,
    live: &dasan_procurement::Procurement,
) -> Result<(), DemoProcurementError> {
    use dasan_identity::{Assurance, Principal};
    use dasan_kernel::{ManualClock, Timestamp};
    use dasan_procurement::notice::*;
    use dasan_procurement::{MemberSecretKey, PublishRequest, decrypt_share};
    use std::sync::Arc;
    let other = |e: &dyn std::fmt::Display| DemoProcurementError::Other(e.to_string());
    let existing = live
        .search_public(&dasan_procurement::transparency::TenderQuery {
            text: Some("Gwanghwamun Square".into()),
            page: 1,
            ..Default::default()
        })
        .await?;
    if existing.items.iter().any(|t| t.title == DEMO_AWARDED_TITLE) {
        return Ok(());
    }
    let start = ceil_hour(Timestamp::from_micros(
        live.database().clock().now().as_micros() - 30 * 24 * HOUR_US,
    ));
    let clock = ManualClock::new(start);
    let mut db = crate::open_database(config).await.map_err(|e| other(&e))?;
    db.configure(
        Arc::new(dasan_store::TableAuditHook),
        Arc::new(clock.clone()),
    );
    let keys = crate::open_key_store(config).map_err(|e| other(&e))?;
    let past = dasan_procurement::Procurement::new(
        db.clone(),
        dasan_registry::Registry::new(db.clone()),
        keys,
        crate::procurement_config(config),
    )
    .with_contract_documents(dasan_procurement::ContractDocuments::new(
        &config.civil.fonts_dir,
        &config.civil.time_stamping_agency,
        &config.procurement.supplier_ca_agency,
    ));
    let principal = |account: &DemoAccount, id, person: Option<String>| Principal {
        account: id,
        kind: account.kind,
        display_name: account.name.to_owned(),
        agency: account.agency.map(str::to_owned),
        person,
        business: None,
        roles: account
            .roles
            .iter()
            .map(|(role, scope)| RoleGrant {
                role,
                scope: (*scope).to_owned(),
            })
            .collect(),
        assurance: if account.kind == AccountKind::Official {
            Assurance::Multi
        } else {
            Assurance::Single
        },
        scopes: None,
    };
    let mut people = Vec::new();
    for account in &PROCUREMENT_ACCOUNTS[..4] {
        let id = dasan_identity::verify_password(&db, account.email, account.password)
            .await?
            .ok_or_else(|| other(&format!("{} changed", account.email)))?;
        people.push((account, id));
    }
    let registry = dasan_registry::Registry::new(db.clone());
    let business = trading_businesses(&registry, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| other(&"no trading demo business"))?;
    let officer = principal(people[0].0, people[0].1, None);
    let rep = principal(
        people[3].0,
        people[3].1,
        Some(business.data.representative.to_string()),
    );

    // Published with three days to bid: shorter than the red-flag threshold.
    let wanted = Timestamp::from_micros(start.as_micros() + 72 * HOUR_US);
    let deadline = past
        .free_hours(wanted, 1)
        .await?
        .first()
        .copied()
        .unwrap_or(wanted);
    let d = deadline.as_micros();
    let krw: dasan_kernel::Currency = "KRW".parse().map_err(|e| other(&e))?;
    let notice = TenderNotice {
        title: DEMO_AWARDED_TITLE.into(),
        description: "광화문광장 보도블록 교체. Replacing the paving stones of Gwanghwamun Square."
            .into(),
        method: Method::Open,
        invited: Vec::new(),
        lots: vec![Lot {
            id: "1".into(),
            title: "보도 Pavement".into(),
            items: vec![Item {
                description: "보도블록 교체 Paving stones replaced".into(),
                classification: "cpv:45233142".into(),
                quantity: 800,
                unit: "MTK".into(),
            }],
        }],
        estimated_value: Some(dasan_kernel::Money::new(300_000_000, krw)),
        estimated_value_public: true,
        eligibility: Eligibility {
            categories: vec!["cpv:45".into()],
            licences: Vec::new(),
            criteria: Vec::new(),
        },
        evaluation: Evaluation {
            method: EvaluationMethod::LowestPrice {
                abnormally_low: None,
            },
            tie_break: TieBreak::EarliestSubmission,
        },
        bid_security: None,
        documents: Vec::new(),
        timeline: Timeline {
            clarification_deadline: Timestamp::from_micros(d - 24 * HOUR_US),
            bid_deadline: deadline,
            opening_at: Timestamp::from_micros(d + HOUR_US),
        },
        amendment_rule: AmendmentRule {
            material_extension_hours: 72,
        },
        reserve_price: None,
    };
    let tender = past
        .publish(
            &officer,
            PublishRequest {
                notice,
                committee: people[..3].iter().map(|(_, id)| *id).collect(),
                threshold: 2,
            },
        )
        .await?;
    // One bid, from the demo supplier.
    clock.set(Timestamp::from_micros(start.as_micros() + 5 * HOUR_US));
    past.submit_form_bid(
        &rep,
        business.id,
        tender,
        dasan_procurement::BidPayload {
            tender_id: String::new(),
            supplier_id: String::new(),
            lots: vec![dasan_procurement::LotPrice {
                lot_id: "1".into(),
                currency: "KRW".into(),
                amount_minor: 287_500_000,
            }],
            reserve_price_picks: None,
            documents: Vec::new(),
            attachments: Vec::new(),
        },
    )
    .await?;
    clock.set(deadline);
    past.close_bid_box(tender).await?;
    clock.set(Timestamp::from_micros(d + HOUR_US));
    let ceremony = past.tender(tender).await?.ceremony;
    for (i, hex) in DEMO_COMMITTEE_KEYS.iter().enumerate().take(2) {
        let mut bytes = [0u8; 32];
        for (j, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(hex.get(2 * j..2 * j + 2).unwrap_or("00"), 16).unwrap_or(0);
        }
        let secret = MemberSecretKey::from_bytes(&bytes).map_err(|e| other(&e))?;
        let index = u8::try_from(i + 1).map_err(|e| other(&e))?;
        let share = decrypt_share(&ceremony, index, &secret).map_err(|e| other(&e))?;
        let member = principal(people[i].0, people[i].1, None);
        past.release_share(&member, tender, &share).await?;
    }
    past.open(&officer, tender).await?;
    clock.set(Timestamp::from_micros(d + 26 * HOUR_US));
    past.evaluate(&officer, tender).await?;
    let award = past.award(&officer, tender).await?;
    clock.set(award.standstill_ends_at);
    past.finalise_due().await?;
    let contracted = contract_history(
        &past,
        &clock,
        live.database().clock().now(),
        award.standstill_ends_at,
        tender,
        (&officer, &rep),
        business.id,
    )
    .await;
    db.close().await;
    match contracted {
        // Fonts (or the PKI) missing: the contract stays a draft to sign once they are there.
        Err(dasan_procurement::ProcurementError::Unavailable(why)) => {
            tracing::warn!(%why, "demo procurement: the contract is left unsigned");
            Ok(())
        }
        other => Ok(other?),
    }
}

/// The demo contract of the awarded tender, on the set-back clock: made from the final award,
/// signed by the entity then the supplier (its e-seal from the platform PKI), the first
/// milestone delivered, accepted and paid three days late. Steps that would fall after today
/// (a long configured standstill) are left out.
async fn contract_history(
    past: &dasan_procurement::Procurement,
    clock: &dasan_kernel::ManualClock,
    now: dasan_kernel::Timestamp,
    final_at: dasan_kernel::Timestamp,
    tender: dasan_procurement::TenderId,
    (officer, rep): (&dasan_identity::Principal, &dasan_identity::Principal),
    business: dasan_registry::BusinessId,
) -> Result<(), dasan_procurement::ProcurementError> {
    use dasan_kernel::Timestamp;
    use dasan_procurement::contracts::kst_date;
    use dasan_procurement::notice::HOUR_US;
    use dasan_procurement::{ContractLanguage, ContractRequest, MilestoneInput};
    let at =
        |base: Timestamp, hours: i64| Timestamp::from_micros(base.as_micros() + hours * HOUR_US);
    let made = at(final_at, 1);
    if made > now {
        return Ok(());
    }
    clock.set(made);
    let begins = kst_date(at(made, 24));
    let day = |d: i64| {
        begins
            .checked_add(jiff::Span::new().days(d))
            .unwrap_or(begins)
    };
    const HALF: u64 = 143_750_000;
    let contract = past
        .create_contract(
            officer,
            tender,
            ContractRequest {
                business_id: business,
                period_start: begins,
                period_end: day(90),
                payment_term_days: 7,
                milestones: vec![
                    MilestoneInput {
                        title: "북측 보도 North pavement".into(),
                        due_on: day(5),
                        amount_minor: HALF,
                    },
                    MilestoneInput {
                        title: "남측 보도 및 준공 South pavement and completion".into(),
                        due_on: day(60),
                        amount_minor: HALF,
                    },
                ],
                language: ContractLanguage::Ko,
            },
        )
        .await?;
    clock.set(at(made, 2));
    past.sign_contract_as_entity(officer, contract.id).await?;
    clock.set(at(made, 26));
    past.sign_contract_as_supplier(rep, contract.id).await?;
    // Accepted two days later; paid ten days after acceptance on a 7-day term: 3 days late.
    let accepted = at(made, 2 * 24);
    let paid = at(accepted, 10 * 24);
    if paid > now {
        return Ok(());
    }
    clock.set(accepted);
    past.accept_delivery(
        officer,
        contract.id,
        "1",
        true,
        "검사 합격. Inspected: compliant.",
    )
    .await?;
    clock.set(paid);
    past.record_payment(officer, contract.id, "1", HALF, kst_date(paid))
        .await?;
    Ok(())
}
