//! Officials search and view the people registry. Every search result and every view is a
//! logged read with the purpose the official must give, which the person then sees on their
//! "who looked at my data" page. Officials also hand out enrolment codes here, after checking an
//! identity document at the counter.

use super::{PageCtx, ShownError, error_for, render, render_invalid, shown};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use dasan_identity::{IdentityError, Permission, Principal, Scope};
use dasan_registry::{Person, PersonId, RegistryError};
use serde::Deserialize;

/// The purposes an official may give, each with its label in the locales.
pub const PURPOSES: &[&str] = &[
    "identity-proofing",
    "civil-application-review",
    "registry-correction",
    "legal-request",
];

/// The agency the official reads for, if they may read the registry there; else "not found".
fn reader_agency(principal: &Principal) -> Result<String, WebError> {
    let agency = principal.agency.clone().ok_or(WebError::NotFound)?;
    match principal.require(Permission::RegistryRead, Scope::Agency(&agency)) {
        Ok(()) => Ok(agency),
        Err(IdentityError::SecondFactorRequired) => Err(IdentityError::SecondFactorRequired.into()),
        Err(_) => Err(WebError::NotFound),
    }
}

fn actor(principal: &Principal, agency: String) -> dasan_kernel::Actor {
    let mut actor = principal.actor(None);
    actor.agency = Some(agency);
    actor
}

#[derive(Template)]
#[template(path = "registry_search.html")]
struct SearchPage {
    ctx: PageCtx,
    q: String,
    purpose: String,
    purposes: &'static [&'static str],
    results: Option<Vec<Person>>,
    errors: Vec<ShownError>,
}

impl SearchPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    purpose: String,
}

fn purpose_label(purpose: &str) -> String {
    format!("registry-purpose-{purpose}")
}

/// `GET /registry/people?q=…&purpose=…`
pub async fn search(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Query(query): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let agency = reader_agency(&signed.principal)?;
    let mut page = SearchPage {
        ctx,
        q: query.q.clone(),
        purpose: query.purpose.clone(),
        purposes: PURPOSES,
        results: None,
        errors: Vec::new(),
    };
    if query.q.is_empty() && query.purpose.is_empty() {
        return render(&page);
    }
    let result = if PURPOSES.contains(&query.purpose.as_str()) {
        state
            .registry()
            .search_people(
                actor(&signed.principal, agency),
                &query.q,
                &query.purpose,
                20,
            )
            .await
    } else {
        Err(RegistryError::Invalid(vec![dasan_kernel::FieldError::new(
            "purpose",
            "registry-error-purpose",
        )]))
    };
    match result {
        Ok(people) => {
            page.results = Some(people);
            render(&page)
        }
        Err(RegistryError::Invalid(fields)) => {
            page.errors = shown(&page.ctx, &fields);
            render_invalid(&page)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "registry_person.html")]
struct PersonPage {
    ctx: PageCtx,
    id: PersonId,
    purpose: String,
    purposes: &'static [&'static str],
    person: Option<Person>,
    may_proof: bool,
    code: Option<(String, String)>,
    errors: Vec<ShownError>,
}

impl PersonPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    fn purpose_label(&self, purpose: &str) -> String {
        self.ctx.t(&purpose_label(purpose))
    }
}

impl SearchPage {
    fn selected(&self, purpose: &str) -> bool {
        self.purpose == purpose
    }

    fn purpose_label(&self, purpose: &str) -> String {
        self.ctx.t(&purpose_label(purpose))
    }
}

#[derive(Deserialize, Default)]
pub struct PurposeQuery {
    #[serde(default)]
    purpose: String,
}

/// `GET /registry/people/{id}?purpose=…`: without a purpose, asks for one first.
pub async fn view(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    Query(query): Query<PurposeQuery>,
) -> Result<Response, WebError> {
    let agency = reader_agency(&signed.principal)?;
    let id: PersonId = id.parse().map_err(|_| WebError::NotFound)?;
    let may_proof = signed
        .principal
        .has(Permission::IdentityProof, Scope::Agency(&agency));
    let mut page = PersonPage {
        ctx,
        id,
        purpose: query.purpose.clone(),
        purposes: PURPOSES,
        person: None,
        may_proof,
        code: None,
        errors: Vec::new(),
    };
    if query.purpose.is_empty() {
        return render(&page);
    }
    if !PURPOSES.contains(&query.purpose.as_str()) {
        page.errors = shown(
            &page.ctx,
            &[dasan_kernel::FieldError::new(
                "purpose",
                "registry-error-purpose",
            )],
        );
        return render_invalid(&page);
    }
    let person = state
        .registry()
        .person(actor(&signed.principal, agency), id, &query.purpose)
        .await?;
    page.person = Some(person);
    render(&page)
}

/// `POST /registry/people/{id}/enrolment-code`: issues a one-time sign-up code, shown once.
pub async fn enrolment_code(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(id): Path<String>,
    PageForm(_): PageForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    reader_agency(&signed.principal)?;
    let id: PersonId = id.parse().map_err(|_| WebError::NotFound)?;
    let result =
        dasan_identity::enrolment::issue_code(state.db(), state.registry(), &signed.principal, id)
            .await;
    let mut page = PersonPage {
        ctx,
        id,
        purpose: String::new(),
        purposes: PURPOSES,
        person: None,
        may_proof: true,
        code: None,
        errors: Vec::new(),
    };
    match result {
        Ok(issued) => {
            page.code = Some((issued.code, super::account::when(issued.expires_at)));
            render(&page)
        }
        Err(IdentityError::Invalid(fields)) => {
            page.errors = shown(&page.ctx, &fields);
            render_invalid(&page)
        }
        Err(IdentityError::Forbidden) => Err(WebError::NotFound),
        Err(other) => Err(other.into()),
    }
}
