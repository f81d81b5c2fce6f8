//! Dasan's web edge: pages, the API, errors, security headers and operations endpoints.
//!
//! This crate never writes SQL: it calls the domain crates and maps their errors once,
//! in [`error`].

pub mod api;
pub mod assets;
pub mod auth;
pub mod context;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod metrics;
pub mod ops;
pub mod pages;
pub mod pki;
pub mod security;
pub mod state;

pub use state::{AppState, IdentityKit, WebSettings};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let settings = state.settings().clone();
    let (api, _) = api::router().split_for_parts();
    let routes = Router::new()
        .route("/", get(pages::info::home))
        .route("/about", get(pages::info::about))
        .route("/accessibility", get(pages::info::accessibility))
        .route("/problems/{code}", get(pages::info::problem_type))
        .route("/language", get(pages::language::switch))
        .route(
            "/feedback",
            get(pages::feedback::form).post(pages::feedback::submit),
        )
        .route("/feedback/thanks", get(pages::feedback::thanks))
        .route("/developers", get(pages::developers::page))
        .route(
            "/sign-in",
            get(pages::sign_in::form).post(pages::sign_in::submit),
        )
        .route(
            "/sign-in/second-factor",
            get(pages::sign_in::second_factor_form).post(pages::sign_in::second_factor_submit),
        )
        .route(
            "/sign-in/passkey/options",
            post(pages::sign_in::passkey_options),
        )
        .route("/sign-in/passkey", post(pages::sign_in::passkey_finish))
        .route("/sign-out", post(pages::sign_in::sign_out))
        .route(
            "/sign-up",
            get(pages::sign_up::form).post(pages::sign_up::submit),
        )
        .route(
            "/account/delegations",
            get(pages::delegation::list).post(pages::delegation::grant),
        )
        .route(
            "/account/delegations/{id}/revoke",
            post(pages::delegation::revoke),
        )
        .route("/business", get(pages::business::list))
        .route(
            "/business/{id}/staff",
            get(pages::business::staff).post(pages::business::invite),
        )
        .route(
            "/business/{id}/staff/{account}/remove",
            post(pages::business::remove),
        )
        .route("/services", get(pages::civil::catalogue))
        .route("/services/{code}", get(pages::civil::service))
        .route("/services/{code}/apply", post(pages::civil::start))
        .route("/services/{code}/for", get(pages::civil::choose_for))
        .route("/applications", get(pages::civil::mine))
        .route("/applications/{id}", get(pages::civil::view))
        .route(
            "/applications/{id}/steps/{step}",
            get(pages::civil::step_form).post(pages::civil::step_save),
        )
        .route("/applications/{id}/check", get(pages::civil::check))
        .route("/applications/{id}/submit", post(pages::civil::submit))
        .route("/applications/{id}/act", post(pages::civil::act))
        .route("/applications/{id}/files/{field}", get(pages::civil::file))
        .route(
            "/applications/{id}/documents/{number}",
            get(pages::civil::document),
        )
        .route(
            "/applications/{id}/documents/{number}/revoke",
            post(pages::civil::revoke),
        )
        .route(
            "/applications/{id}/documents/{number}/reissue",
            post(pages::civil::reissue),
        )
        .route("/agencies/{code}/queue", get(pages::civil::queue))
        .route(
            "/agencies/{code}/queue/claim",
            post(pages::civil::claim_selected),
        )
        .route("/inbox", get(pages::civil::inbox))
        .route("/documents/{number}/send", post(pages::shares::send))
        .route("/shares/{id}/withdraw", post(pages::shares::withdraw))
        .route("/received", get(pages::shares::received))
        .route("/received/{id}", get(pages::shares::received_one))
        .route("/received/{id}/pdf", get(pages::shares::received_pdf))
        .route(
            "/agencies/{code}/services",
            get(pages::services_admin::list),
        )
        .route(
            "/agencies/{code}/services/new",
            get(pages::services_admin::edit),
        )
        .route(
            "/agencies/{code}/services/{service}/edit",
            get(pages::services_admin::edit),
        )
        .route(
            "/agencies/{code}/services/save",
            post(pages::services_admin::save),
        )
        .route("/registry/people", get(pages::registry::search))
        .route("/registry/people/{id}", get(pages::registry::view))
        .route(
            "/registry/people/{id}/enrolment-code",
            post(pages::registry::enrolment_code),
        )
        .route("/account", get(pages::account::overview))
        .route(
            "/account/sign-out-everywhere",
            post(pages::account::sign_out_everywhere),
        )
        .route(
            "/account/phone",
            get(pages::phone::show).post(pages::phone::send_code),
        )
        .route("/account/phone/confirm", post(pages::phone::confirm))
        .route("/account/phone/remove", post(pages::phone::remove))
        .route("/account/two-factor", get(pages::account::two_factor))
        .route("/account/data-access", get(pages::account::data_access))
        .route(
            "/account/two-factor/begin",
            post(pages::account::two_factor_begin),
        )
        .route(
            "/account/two-factor/confirm",
            post(pages::account::two_factor_confirm),
        )
        .route(
            "/account/two-factor/remove",
            post(pages::account::two_factor_remove),
        )
        .route(
            "/account/passkeys/options",
            post(pages::account::passkey_options),
        )
        .route("/account/passkeys", post(pages::account::passkey_add))
        .route(
            "/account/passkeys/{id}/remove",
            post(pages::account::passkey_remove),
        )
        .route(
            "/account/tokens",
            get(pages::account::tokens).post(pages::account::token_create),
        )
        .route(
            "/account/tokens/{id}/revoke",
            post(pages::account::token_revoke),
        )
        .route(
            "/recover",
            get(pages::recovery::form).post(pages::recovery::submit),
        )
        .route(
            "/recover/{token}",
            get(pages::recovery::set_form).post(pages::recovery::set_submit),
        )
        .route(
            "/agencies/{code}/officials",
            get(pages::agency::officials).post(pages::agency::invite),
        )
        .route(
            "/agencies/{code}/officials/{id}/roles",
            post(pages::agency::grant),
        )
        .route(
            "/agencies/{code}/officials/{id}/roles/remove",
            post(pages::agency::revoke),
        )
        .route(
            "/agencies/{code}/clients",
            get(pages::clients::list).post(pages::clients::create),
        )
        .route(
            "/agencies/{code}/clients/{id}/tokens",
            post(pages::clients::issue),
        )
        .route(
            "/agencies/{code}/clients/{id}/tokens/{token}/revoke",
            post(pages::clients::revoke),
        )
        .route("/border", get(pages::border::index))
        .route("/border/ports", get(pages::border::go_to_port))
        .route("/border/ports/{port}/referrals", get(pages::border::queue))
        .route("/border/referrals/{id}", get(pages::border::referral))
        .route("/border/referrals/{id}/decide", post(pages::border::decide))
        .route("/border/overstays", get(pages::border::overstays))
        .route(
            "/border/enrol",
            get(pages::border_enrolment::enrol_form).post(pages::border_enrolment::enrol_submit),
        )
        .route("/border/enrolments", get(pages::border_enrolment::desk))
        .route(
            "/border/enrolments/{id}",
            get(pages::border_enrolment::enrolment),
        )
        .route(
            "/border/enrolments/{id}/complete",
            post(pages::border_enrolment::complete),
        )
        .route(
            "/border/enrolments/{id}/state",
            post(pages::border_enrolment::set_state),
        )
        .route(
            "/border/lists",
            get(pages::border_enrolment::lists).post(pages::border_enrolment::upload),
        )
        .route("/api/v1/openapi.json", get(api::openapi_json))
        .route("/static/{file}", get(assets::serve))
        .route("/pki/crl/{file}", get(pki::crl))
        .route("/pki/root.crt", get(pki::root_certificate))
        .route("/pki/tsa", post(pki::time_stamp))
        .route(
            "/verify",
            get(pages::verify::show).post(pages::verify::submit),
        )
        .route("/.well-known/dasan/trust-list.jws", get(pki::trust_list))
        .merge(api)
        .merge(pages::procurement::routes())
        .merge(pages::transparency::routes())
        .fallback(|| async { error::WebError::NotFound })
        .route_layer(from_fn(metrics::tag_route));

    // Outermost first: every response, errors included, gets security headers, a request id,
    // metrics and edge rendering.
    let edge = ServiceBuilder::new()
        .layer(from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(from_fn_with_state(state.clone(), context::request_context))
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(from_fn_with_state(state.clone(), error::render_errors))
        .layer(from_fn_with_state(state.clone(), auth::check_origin))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("handler panicked");
            error::WebError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
                .into_response_boxed()
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            settings.request_timeout,
        ))
        .layer(from_fn_with_state(state.clone(), body_limit))
        // A stalled upload is the client's fault (408) and must be told apart from a slow
        // handler (503): the body gets half the request's time, so the two never race.
        .layer(RequestBodyTimeoutLayer::new(settings.request_timeout / 2));
    routes.layer(edge).with_state(state)
}

/// Bounds every request body by `server.body_limit_bytes`, except border list uploads, which
/// get `border.list_body_limit_bytes` (a published watchlist is larger than any form). Too
/// large: 413 `payload-too-large`, from the declared length or while reading.
async fn body_limit(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tower::ServiceExt as _;
    let settings = state.settings();
    let limit = if api::border_enrolment::is_list_upload(request.method(), request.uri().path()) {
        settings.border_list_body_limit_bytes
    } else {
        settings.body_limit_bytes
    };
    let service = ServiceBuilder::new()
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .map_request(|r: axum::extract::Request<_>| r.map(axum::body::Body::new))
        .service(next);
    match service.oneshot(request).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(never) => match never {},
    }
}

impl error::WebError {
    fn into_response_boxed(self) -> axum::response::Response {
        axum::response::IntoResponse::into_response(self)
    }
}

/// Serves until `shutdown` completes, then lets in-flight requests finish for up to `grace`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (draining_tx, draining_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = draining_tx.send(());
    };
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    let deadline = async move {
        if draining_rx.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(?grace, "grace period over: closing remaining connections");
            Ok(())
        }
    }
}
