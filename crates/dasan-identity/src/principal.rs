//! Who is asking, and what they may do. Every permission check in Dasan is a call to
//! [`Principal::require`], made in the domain layer (not only in templates).

use crate::{AccountId, AccountKind, IdentityError, RoleGrant};
use dasan_kernel::{Actor, ActorKind};
use serde::Serialize;

/// What an action needs. Roles grant permissions; a permission holds platform-wide or in one
/// agency, as the role was granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Review and decide civil-service applications.
    CivilReview,
    /// Define and change the agency's services.
    CivilManageServices,
    /// Read registry records for a stated purpose.
    RegistryRead,
    /// Check a person's identity document at a counter and issue an enrolment code.
    IdentityProof,
    /// Publish and manage tenders.
    ProcurementManage,
    /// Score bids.
    ProcurementEvaluate,
    /// Decide border referrals.
    BorderDecide,
    /// Register and revoke gate devices, import watchlists.
    BorderManage,
    /// Read the audit log.
    AuditRead,
    /// Grant and revoke roles of the agency's officials.
    ManageRoles,
    /// Administer the platform itself.
    PlatformAdmin,
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::CivilReview,
        Permission::CivilManageServices,
        Permission::RegistryRead,
        Permission::IdentityProof,
        Permission::ProcurementManage,
        Permission::ProcurementEvaluate,
        Permission::BorderDecide,
        Permission::BorderManage,
        Permission::AuditRead,
        Permission::ManageRoles,
        Permission::PlatformAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::CivilReview => "civil.review",
            Permission::CivilManageServices => "civil.manage_services",
            Permission::RegistryRead => "registry.read",
            Permission::IdentityProof => "identity.proof",
            Permission::ProcurementManage => "procurement.manage",
            Permission::ProcurementEvaluate => "procurement.evaluate",
            Permission::BorderDecide => "border.decide",
            Permission::BorderManage => "border.manage",
            Permission::AuditRead => "audit.read",
            Permission::ManageRoles => "roles.manage",
            Permission::PlatformAdmin => "platform.admin",
        }
    }

    pub fn parse(text: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// The roles the platform knows, and the permissions each grants.
pub const ROLES: &[(&str, &[Permission])] = &[
    (
        "civil.officer",
        &[
            Permission::CivilReview,
            Permission::RegistryRead,
            Permission::IdentityProof,
        ],
    ),
    ("procurement.officer", &[Permission::ProcurementManage]),
    ("procurement.evaluator", &[Permission::ProcurementEvaluate]),
    ("border.officer", &[Permission::BorderDecide]),
    (
        "border.admin",
        &[Permission::BorderManage, Permission::BorderDecide],
    ),
    ("auditor", &[Permission::AuditRead]),
    (
        "agency.admin",
        &[Permission::ManageRoles, Permission::CivilManageServices],
    ),
    (
        crate::PLATFORM_ADMIN,
        &[
            Permission::PlatformAdmin,
            Permission::ManageRoles,
            Permission::AuditRead,
        ],
    ),
];

/// The role named `name`, as a `'static` string, if the platform knows it.
pub fn role(name: &str) -> Option<&'static str> {
    ROLES.iter().map(|(r, _)| *r).find(|r| *r == name)
}

/// The roles that grant `permission`.
pub fn roles_granting(permission: Permission) -> impl Iterator<Item = &'static str> {
    ROLES
        .iter()
        .filter(move |(_, p)| p.contains(&permission))
        .map(|(r, _)| *r)
}

fn permissions_of(role: &str) -> &'static [Permission] {
    ROLES
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, p)| *p)
        .unwrap_or(&[])
}

/// How strongly the current session was authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    /// One factor (a password).
    Single,
    /// Two factors: password and TOTP, or a passkey with user verification.
    Multi,
}

/// An authenticated party: an account plus how it proved itself.
#[derive(Clone, Debug)]
pub struct Principal {
    pub account: AccountId,
    pub kind: AccountKind,
    pub display_name: String,
    pub agency: Option<String>,
    pub person: Option<String>,
    pub business: Option<String>,
    pub roles: Vec<RoleGrant>,
    pub assurance: Assurance,
    /// For API tokens: the permissions the token was limited to (None: a session, all roles).
    pub scopes: Option<Vec<Permission>>,
}

/// The scope a permission applies in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope<'a> {
    /// The platform as a whole.
    Platform,
    /// One agency, by code.
    Agency(&'a str),
}

impl Principal {
    /// Officials must act with two factors; everyone else may act with one.
    pub fn needs_second_factor(&self) -> bool {
        self.kind == AccountKind::Official && self.assurance == Assurance::Single
    }

    /// Whether the principal holds `permission` in `scope`. A platform-wide grant covers every
    /// agency; an agency grant covers only that agency.
    pub fn has(&self, permission: Permission, scope: Scope<'_>) -> bool {
        if self.needs_second_factor() {
            return false;
        }
        if let Some(scopes) = &self.scopes
            && !scopes.contains(&permission)
        {
            return false;
        }
        self.roles.iter().any(|grant| {
            permissions_of(grant.role).contains(&permission)
                && match scope {
                    Scope::Platform => grant.scope == "platform",
                    Scope::Agency(code) => grant.scope == "platform" || grant.scope == code,
                }
        })
    }

    /// Fails unless the principal holds `permission` in `scope`.
    pub fn require(&self, permission: Permission, scope: Scope<'_>) -> Result<(), IdentityError> {
        if self.needs_second_factor() {
            return Err(IdentityError::SecondFactorRequired);
        }
        if self.has(permission, scope) {
            Ok(())
        } else {
            Err(IdentityError::Forbidden)
        }
    }

    /// Every permission held anywhere (what a new API token may be scoped to).
    pub fn permissions(&self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| {
                self.roles
                    .iter()
                    .any(|g| permissions_of(g.role).contains(p))
                    && self.scopes.as_ref().is_none_or(|s| s.contains(p))
            })
            .collect()
    }

    /// The audit log's view of this principal.
    pub fn actor(&self, request_id: Option<String>) -> Actor {
        Actor {
            kind: ActorKind::Account,
            account: Some(self.account.0),
            agency: self.agency.clone(),
            on_behalf_of: None,
            request_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn official(roles: &[(&'static str, &str)], assurance: Assurance) -> Principal {
        Principal {
            account: AccountId::new(),
            kind: AccountKind::Official,
            display_name: "Official".into(),
            agency: Some("MOIS".into()),
            person: None,
            business: None,
            roles: roles
                .iter()
                .map(|(r, s)| RoleGrant {
                    role: r,
                    scope: (*s).into(),
                })
                .collect(),
            assurance,
            scopes: None,
        }
    }

    #[test]
    fn an_agency_role_holds_in_that_agency_only() {
        let p = official(&[("civil.officer", "MOIS")], Assurance::Multi);
        assert!(
            p.require(Permission::CivilReview, Scope::Agency("MOIS"))
                .is_ok()
        );
        assert!(matches!(
            p.require(Permission::CivilReview, Scope::Agency("NTS")),
            Err(IdentityError::Forbidden)
        ));
        assert!(p.require(Permission::CivilReview, Scope::Platform).is_err());
        assert!(
            p.require(Permission::BorderDecide, Scope::Agency("MOIS"))
                .is_err()
        );
    }

    #[test]
    fn a_platform_role_holds_everywhere() {
        let p = official(&[(crate::PLATFORM_ADMIN, "platform")], Assurance::Multi);
        assert!(
            p.require(Permission::ManageRoles, Scope::Agency("NTS"))
                .is_ok()
        );
        assert!(
            p.require(Permission::PlatformAdmin, Scope::Platform)
                .is_ok()
        );
        assert!(
            p.require(Permission::CivilReview, Scope::Agency("NTS"))
                .is_err()
        );
    }

    #[test]
    fn officials_act_only_with_two_factors() {
        let p = official(&[("civil.officer", "MOIS")], Assurance::Single);
        assert!(matches!(
            p.require(Permission::CivilReview, Scope::Agency("MOIS")),
            Err(IdentityError::SecondFactorRequired)
        ));
        assert!(!p.has(Permission::CivilReview, Scope::Agency("MOIS")));
    }

    #[test]
    fn token_scopes_narrow_what_roles_grant() {
        let mut p = official(&[("civil.officer", "MOIS")], Assurance::Multi);
        p.scopes = Some(vec![Permission::RegistryRead]);
        assert!(
            p.require(Permission::RegistryRead, Scope::Agency("MOIS"))
                .is_ok()
        );
        assert!(
            p.require(Permission::CivilReview, Scope::Agency("MOIS"))
                .is_err()
        );
        assert_eq!(p.permissions(), vec![Permission::RegistryRead]);
    }

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert_eq!(Permission::parse("everything"), None);
    }
}
