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
        if account.kind == AccountKind::Citizen {
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
