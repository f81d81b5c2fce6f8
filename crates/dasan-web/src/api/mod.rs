//! The JSON API under `/api/v1`, and the OpenAPI 3.1 document generated from its handlers.

pub mod audit;
pub mod border;
pub mod border_enrolment;
pub mod civil;
pub mod contracts;
pub mod feedback;
pub mod me;
pub mod ocds;
pub mod procurement;
pub mod registry;
pub mod shares;
pub mod transparency;

use crate::error::{ProblemDocument, ProblemField};
use crate::ops;
use crate::state::AppState;
use axum::Json;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use std::sync::LazyLock;
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Dasan API",
        description = "Every function of the Dasan e-Government platform, for agency systems, devices and \
            people's own scripts. Errors are RFC 9457 problem documents (`application/problem+json`); \
            send `Accept-Language: ko` for Korean messages.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(ProblemDocument, ProblemField)),
    modifiers(&BearerAuth),
    tags(
        (name = "identity", description = "Accounts and API tokens"),
        (name = "portal", description = "The portal itself"),
        (name = "civil", description = "Civil services: the catalogue and applications"),
        (name = "procurement", description = "E-procurement: tenders, sealed bids nobody can open early, openings"),
        (name = "ocds", description = "Open contracting data: OCDS 1.1.5 releases and records of every procurement procedure, by page, in bulk and by day"),
        (name = "registry", description = "Once-only look-ups in the base registries, for agency systems"),
        (name = "border", description = "Smart border clearance: gate decisions (signed by the gate's device key), decision records and replay, gate devices, traveller enrolment, watchlist and visa table imports"),
        (name = "audit", description = "The tamper-evident audit log: checkpoints and proofs anyone can check"),
        (name = "operations", description = "Health, readiness and metrics for operators"),
    )
)]
struct ApiDoc;

/// Declares the bearer-token scheme (tokens are created on the account page).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token (dsn_…) created on the account page"))
                    .build(),
            ),
        );
    }
}

/// Every documented route. The web router and the document come from this one list.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(index))
        .routes(routes!(feedback::submit))
        .routes(routes!(me::me))
        .routes(routes!(registry::lookup))
        .routes(routes!(civil::services))
        .routes(routes!(civil::service))
        .routes(routes!(civil::document))
        .routes(routes!(civil::verify))
        .routes(routes!(civil::revoke))
        .routes(routes!(civil::reissue))
        .routes(routes!(civil::my_documents))
        .routes(routes!(shares::send))
        .routes(routes!(shares::sent))
        .routes(routes!(shares::withdraw))
        .routes(routes!(shares::received))
        .routes(routes!(shares::received_one))
        .routes(routes!(shares::received_pdf))
        .routes(routes!(civil::applications))
        .routes(routes!(civil::application))
        .routes(routes!(civil::apply))
        .routes(routes!(civil::act))
        .routes(routes!(civil::queue))
        .routes(routes!(border::decide))
        .routes(routes!(border::decision))
        .routes(routes!(border::replay))
        .routes(routes!(border::register_gate))
        .routes(routes!(border::gate))
        .routes(routes!(border::revoke_gate))
        .routes(routes!(border_enrolment::pre_register))
        .routes(routes!(border_enrolment::enrolment))
        .routes(routes!(border_enrolment::complete))
        .routes(routes!(border_enrolment::set_state))
        .routes(routes!(border_enrolment::lists))
        .routes(routes!(border_enrolment::import))
        .routes(routes!(audit::checkpoint))
        .routes(routes!(audit::archive))
        .routes(routes!(audit::key))
        .routes(routes!(audit::inclusion))
        .routes(routes!(audit::leaf))
        .routes(routes!(audit::consistency))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .merge(procurement::routes())
        .merge(contracts::routes())
        .merge(ocds::routes())
        .merge(transparency::routes())
}

static DOCUMENT: LazyLock<OpenApi> = LazyLock::new(|| {
    let (_, mut doc) = router().split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
});

/// The OpenAPI document (built once).
pub fn openapi() -> OpenApi {
    DOCUMENT.clone()
}

/// `GET /api/v1/openapi.json`
pub async fn openapi_json() -> impl IntoResponse {
    static JSON: LazyLock<String> =
        LazyLock::new(|| serde_json::to_string_pretty(&*DOCUMENT).unwrap_or_else(|_| "{}".into()));
    ([(header::CONTENT_TYPE, "application/json")], JSON.as_str())
}

/// Where to start.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ApiIndex {
    pub name: &'static str,
    pub version: &'static str,
    /// The OpenAPI 3.1 document.
    pub openapi: &'static str,
    /// Human-readable documentation.
    pub documentation: &'static str,
}

/// Describe the API.
#[utoipa::path(
    get,
    path = "/api/v1",
    tag = "portal",
    responses((status = 200, description = "Where the API's description lives", body = ApiIndex))
)]
pub async fn index() -> Json<ApiIndex> {
    Json(ApiIndex {
        name: "Dasan",
        version: env!("CARGO_PKG_VERSION"),
        openapi: "/api/v1/openapi.json",
        documentation: "/developers",
    })
}
