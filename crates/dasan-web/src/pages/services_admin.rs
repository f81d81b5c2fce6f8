//! An agency's administrators define its services in the portal: the same TOML as the
//! services folder, checked as a whole, saved as a new version (applications keep theirs).

use super::{PageCtx, ShownError, render, render_invalid, see_other, shown};
use crate::auth::Signed;
use crate::error::WebError;
use crate::extract::{PageForm, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use dasan_civil::{CivilError, ServiceSummary};
use dasan_identity::{Permission, Scope};
use serde::Deserialize;

/// Only the agency's service administrators see these pages; anyone else gets "not found".
fn require(signed: &Signed, agency: &str) -> Result<(), WebError> {
    if signed
        .principal
        .has(Permission::CivilManageServices, Scope::Agency(agency))
    {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

#[derive(Template)]
#[template(path = "services_admin.html")]
struct ListPage {
    ctx: PageCtx,
    agency: String,
    services: Vec<(String, String)>,
    saved: Option<(String, i64)>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

/// `GET /agencies/{code}/services`
pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(agency): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    require(&signed, &agency)?;
    let services: Vec<ServiceSummary> = state.civil().services(Some(&agency), None).await?;
    render(&ListPage {
        services: services
            .into_iter()
            .map(|s| {
                let name = dasan_civil::definition::text(&s.name, ctx.lang).to_owned();
                (s.code, name)
            })
            .collect(),
        saved: query.saved.zip(query.version),
        agency,
        ctx,
    })
}

#[derive(Template)]
#[template(path = "service_edit.html")]
struct EditPage {
    ctx: PageCtx,
    agency: String,
    /// The service being changed (None: a new one).
    code: Option<String>,
    version: Option<i64>,
    text: String,
    errors: Vec<ShownError>,
    conflict: bool,
}

impl EditPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        super::error_for(&self.errors, field)
    }
}

/// A skeleton for a new service: what every definition must say.
fn skeleton(agency: &str) -> String {
    format!(
        "code = \"new-service\"\nagency = \"{agency}\"\npurpose = \"civil-application\"\nissuance = \"review\"\n\
         time_limit_days = 5\nlife_events = []\nkeywords = []\n\n[name]\nen = \"\"\nko = \"\"\n\n\
         [description]\nen = \"\"\nko = \"\"\n\n[fee]\namount = 0\ncurrency = \"KRW\"\n\n\
         [[steps]]\nid = \"details\"\ntitle = {{ en = \"Details\", ko = \"내용\" }}\n\n\
         [[steps.fields]]\nid = \"reason\"\nkind = \"text\"\nlabel = {{ en = \"Reason\", ko = \"사유\" }}\nrequired = true\n"
    )
}

/// `GET /agencies/{code}/services/new` and `GET /agencies/{code}/services/{service}/edit`
pub async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(path): Path<Vec<String>>,
) -> Result<Response, WebError> {
    let agency = path.first().cloned().unwrap_or_default();
    require(&signed, &agency)?;
    let (code, version, text) = match path.get(1) {
        Some(code) => {
            let service = state.civil().service(code).await?;
            if service.definition.agency != agency {
                return Err(WebError::NotFound);
            }
            let (text, version) = state.civil().definition_toml(code).await?;
            (Some(code.clone()), Some(version), text)
        }
        None => (None, None, skeleton(&agency)),
    };
    render(&EditPage {
        ctx,
        agency,
        code,
        version,
        text,
        errors: Vec::new(),
        conflict: false,
    })
}

#[derive(Deserialize, Default)]
pub struct SaveForm {
    #[serde(default)]
    definition: String,
    /// The version the editor started from (empty for a new service).
    #[serde(default)]
    version: String,
}

/// `POST /agencies/{code}/services/save`
pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    signed: Signed,
    Path(agency): Path<String>,
    PageForm(form): PageForm<SaveForm>,
) -> Result<Response, WebError> {
    require(&signed, &agency)?;
    let expected: Option<i64> = form.version.trim().parse().ok();
    let result = state
        .civil()
        .save_definition(&signed.principal, &form.definition, expected)
        .await;
    let code = dasan_civil::ServiceDefinition::from_toml(&form.definition)
        .map(|d| d.code)
        .ok();
    match result {
        Ok(version) => {
            let code = code.unwrap_or_default();
            Ok(see_other(&format!(
                "/agencies/{agency}/services?saved={code}&version={version}"
            )))
        }
        Err(e @ (CivilError::Invalid(_) | CivilError::Stale)) => {
            let conflict = matches!(e, CivilError::Stale);
            // Problems deep in the definition are named by their path and linked to the text box.
            let errors = match &e {
                CivilError::Invalid(fields) => shown(&ctx, fields)
                    .into_iter()
                    .map(|s| ShownError {
                        message: if s.field == "definition" {
                            s.message
                        } else {
                            format!("{}: {}", s.field, s.message)
                        },
                        field: "definition".to_owned(),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let page = EditPage {
                ctx,
                agency,
                code: expected.and(code),
                version: expected,
                text: form.definition,
                errors,
                conflict,
            };
            if conflict {
                let mut response = render(&page)?;
                *response.status_mut() = StatusCode::CONFLICT;
                Ok(response)
            } else {
                render_invalid(&page)
            }
        }
        Err(other) => Err(other.into()),
    }
}
