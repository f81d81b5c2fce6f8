//! Open contracting data (OCDS 1.1.5 with the bids and lots extensions) for anyone: release and
//! record packages by page, the bulk download of everything and the package of one day, both
//! streamed (the server holds one batch of procedures at a time, whatever the total).
//! `dasan_procurement` reads the procedures, `dasan_ocds` makes the releases; this translates.

use crate::error::{ProblemDocument, WebError};
use crate::extract::Query;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use dasan_kernel::Timestamp;
use dasan_ocds::package::{Links, PackageMeta, Publisher};
use dasan_ocds::{RecordPackageWriter, ReleasePackageWriter, record_linked, releases};
use dasan_procurement::OcdsExport;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Procedures per page of `/releases` and `/records`.
pub const PAGE_SIZE: u32 = 50;
/// The highest page number accepted.
const MAX_PAGE: u64 = 100_000_000;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(release_page))
        .routes(routes!(record_page))
        .routes(routes!(bulk))
        .routes(routes!(daily))
}

const BAD_REQUEST: WebError = WebError::new(StatusCode::BAD_REQUEST, "bad-request");

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The page, from 1: each holds every release of up to 50 procedures, in the order the
    /// tenders were published. `links.next` names the next page while there is one.
    #[param(minimum = 1, maximum = 100_000_000)]
    pub page: Option<u64>,
}

fn base(state: &AppState) -> String {
    state
        .settings()
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_owned()
}

fn meta(state: &AppState, uri: String, links: Option<Links>) -> PackageMeta {
    PackageMeta {
        publisher: Publisher {
            name: "Dasan".into(),
            scheme: None,
            uid: None,
            uri: Some(format!("{}/", base(state))),
        },
        uri,
        published_date: state.db().clock().now(),
        license: None,
        publication_policy: None,
        links,
    }
}

fn json(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

fn io_error(e: std::io::Error) -> WebError {
    WebError::internal(&e)
}

/// The page number and its package's links.
async fn page_of(
    state: &AppState,
    q: &PageQuery,
    path: &str,
) -> Result<(u64, String, Option<Links>), WebError> {
    let page = q.page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(BAD_REQUEST);
    }
    let total = state.procurement().ocds_count().await?;
    let url = |n: u64| format!("{}{path}?page={n}", base(state));
    let links = Links {
        next: (page.saturating_mul(u64::from(PAGE_SIZE)) < total).then(|| url(page + 1)),
        prev: (page > 1).then(|| url(page - 1)),
    };
    let any = links.next.is_some() || links.prev.is_some();
    Ok((page, url(page), any.then_some(links)))
}

/// A release package: every release of up to 50 procedures (planning, tender, amendments,
/// the opening with its bids, awards, contracts, implementation), oldest procedure first.
#[utoipa::path(
    get,
    path = "/api/v1/ocds/releases",
    tag = "ocds",
    params(PageQuery),
    responses(
        (status = 200, description = "An OCDS 1.1 release package (with the bids and lots extensions)", body = Object, content_type = "application/json"),
        (status = 400, description = "Not a page number", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn release_page(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let (page, uri, links) = page_of(&state, &q, "/api/v1/ocds/releases").await?;
    let p = state.procurement();
    let procedures = p
        .ocds_page((page - 1) * u64::from(PAGE_SIZE), PAGE_SIZE)
        .await?;
    let mut w =
        ReleasePackageWriter::new(Vec::new(), &meta(&state, uri, links)).map_err(io_error)?;
    for procedure in &procedures {
        let rs =
            releases(&p.config().ocid_prefix, procedure).map_err(|e| WebError::internal(&e))?;
        for r in &rs {
            w.write(r).map_err(io_error)?;
        }
    }
    Ok(json(w.finish().map_err(io_error)?))
}

/// A record package: for up to 50 procedures, the record (the compiled release and links to
/// the releases, which are in the release package of the same page).
#[utoipa::path(
    get,
    path = "/api/v1/ocds/records",
    tag = "ocds",
    params(PageQuery),
    responses(
        (status = 200, description = "An OCDS 1.1 record package (with the bids and lots extensions)", body = Object, content_type = "application/json"),
        (status = 400, description = "Not a page number", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn record_page(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let (page, uri, links) = page_of(&state, &q, "/api/v1/ocds/records").await?;
    let release_url = format!("{}/api/v1/ocds/releases?page={page}", base(&state));
    let p = state.procurement();
    let procedures = p
        .ocds_page((page - 1) * u64::from(PAGE_SIZE), PAGE_SIZE)
        .await?;
    let mut w =
        RecordPackageWriter::new(Vec::new(), &meta(&state, uri, links)).map_err(io_error)?;
    for procedure in &procedures {
        let rs =
            releases(&p.config().ocid_prefix, procedure).map_err(|e| WebError::internal(&e))?;
        let record = record_linked(&rs, &release_url).map_err(|e| WebError::internal(&e))?;
        w.write(&record).map_err(io_error)?;
    }
    Ok(json(w.finish().map_err(io_error)?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BulkQuery {
    /// `releases` (default): one release package with every release; `records`: one record
    /// package with every record (its releases linked into the `releases` download).
    #[param(inline)]
    pub package: Option<BulkKind>,
}

#[derive(Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BulkKind {
    Releases,
    Records,
}

/// Streams a package of everything `export` walks.
fn stream(
    state: AppState,
    export: OcdsExport,
    kind: BulkKind,
    uri: String,
    name: &str,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let release_url = format!("{}/api/v1/ocds/bulk", base(&state));
    tokio::spawn(async move {
        let meta = meta(&state, uri, None);
        if let Err(e) = produce(&state, export, kind, &meta, &release_url, &tx).await {
            tracing::error!(error = %e, "OCDS bulk export failed");
            // The status is gone already: end the body with an error so the client sees a
            // broken transfer, never a silently short file.
            let _ = tx.send(Err(std::io::Error::other(e))).await;
        }
    });
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

async fn produce(
    state: &AppState,
    mut export: OcdsExport,
    kind: BulkKind,
    meta: &PackageMeta,
    release_url: &str,
    tx: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), String> {
    let p = state.procurement();
    let text = |e: &dyn std::fmt::Display| e.to_string();
    let mut releases_w = None;
    let mut records_w = None;
    match kind {
        BulkKind::Releases => {
            releases_w = Some(ReleasePackageWriter::new(Vec::new(), meta).map_err(|e| text(&e))?)
        }
        BulkKind::Records => {
            records_w = Some(RecordPackageWriter::new(Vec::new(), meta).map_err(|e| text(&e))?)
        }
    }
    while let Some(batch) = export.next_batch(p).await.map_err(|e| text(&e))? {
        for rs in batch {
            if let Some(w) = releases_w.as_mut() {
                for r in &rs {
                    w.write(r).map_err(|e| text(&e))?;
                }
            }
            if let Some(w) = records_w.as_mut() {
                let record = record_linked(&rs, release_url).map_err(|e| text(&e))?;
                w.write(&record).map_err(|e| text(&e))?;
            }
        }
        let chunk = match (releases_w.as_mut(), records_w.as_mut()) {
            (Some(w), _) => std::mem::take(w.get_mut()),
            (_, Some(w)) => std::mem::take(w.get_mut()),
            _ => Vec::new(),
        };
        if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
            return Ok(()); // the client went away
        }
    }
    let tail = match (releases_w, records_w) {
        (Some(w), _) => w.finish(),
        (_, Some(w)) => w.finish(),
        _ => Ok(Vec::new()),
    }
    .map_err(|e| text(&e))?;
    let _ = tx.send(Ok(Bytes::from(tail))).await;
    Ok(())
}

/// Everything, streamed: one release package with every release of every procedure (or one
/// record package with every record). The transfer ends with an error, never short, if the
/// export fails midway.
#[utoipa::path(
    get,
    path = "/api/v1/ocds/bulk",
    tag = "ocds",
    params(BulkQuery),
    responses(
        (status = 200, description = "An OCDS 1.1 release package (or record package), streamed", body = Object, content_type = "application/json"),
        (status = 400, description = "Not `releases` or `records`", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn bulk(State(state): State<AppState>, Query(q): Query<BulkQuery>) -> Response {
    let kind = q.package.unwrap_or(BulkKind::Releases);
    let export = OcdsExport::all(state.procurement().config().ocid_prefix.clone());
    let (uri, name) = match kind {
        BulkKind::Releases => (
            format!("{}/api/v1/ocds/bulk", base(&state)),
            "ocds-releases.json",
        ),
        BulkKind::Records => (
            format!("{}/api/v1/ocds/bulk?package=records", base(&state)),
            "ocds-records.json",
        ),
    };
    stream(state, export, kind, uri, name)
}

const DAY_US: i64 = 86_400_000_000;

/// The releases of one UTC day, streamed: a release package of every release dated that day
/// (a notice published or amended, an opening, a cancellation, ...). Published once the day is
/// over, it does not change.
#[utoipa::path(
    get,
    path = "/api/v1/ocds/daily/{date}",
    tag = "ocds",
    params(("date" = String, Path, description = "The day, `YYYY-MM-DD` (UTC)", pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")),
    responses(
        (status = 200, description = "An OCDS 1.1 release package, streamed", body = Object, content_type = "application/json"),
        (status = 404, description = "Not a date", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn daily(
    State(state): State<AppState>,
    Path(date): Path<String>,
) -> Result<Response, WebError> {
    let valid = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let day: jiff::civil::Date = if valid {
        date.parse().map_err(|_| WebError::NotFound)?
    } else {
        return Err(WebError::NotFound);
    };
    let start = day
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|_| WebError::NotFound)?
        .timestamp();
    let from = Timestamp::from_jiff(start);
    let to = Timestamp::from_micros(from.as_micros().saturating_add(DAY_US));
    let export = OcdsExport::between(state.procurement().config().ocid_prefix.clone(), from, to);
    let uri = format!("{}/api/v1/ocds/daily/{day}", base(&state));
    Ok(stream(
        state,
        export,
        BulkKind::Releases,
        uri,
        &format!("ocds-{day}.json"),
    ))
}
