use crate::context::RequestContext;
use crate::error::{ProblemDocument, WebError};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dasan_feedback::FeedbackInput;
use dasan_kernel::Actor;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, AnyOfBuilder, ObjectBuilder, Schema, SchemaType, Type,
};

/// Feedback about one portal page. Give `helpful`, `comment`, or both.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFeedback {
    pub page: String,
    pub helpful: Option<bool>,
    pub comment: Option<String>,
}

/// Written by hand: the rule "`helpful` or a non-blank `comment`" needs `anyOf`, which the
/// derive cannot express, and the schema must say exactly what the server accepts (schemathesis
/// checks both directions).
impl utoipa::PartialSchema for NewFeedback {
    fn schema() -> RefOr<Schema> {
        let page = ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("The page, as a path on this portal."))
            .pattern(Some(dasan_feedback::PAGE_PATTERN))
            .max_length(Some(dasan_feedback::MAX_PAGE_CHARS))
            .examples(["/about"]);
        let helpful = ObjectBuilder::new()
            .schema_type(SchemaType::Array(vec![Type::Boolean, Type::Null]))
            .description(Some("\"Was this page useful?\""));
        let comment = ObjectBuilder::new()
            .schema_type(SchemaType::Array(vec![Type::String, Type::Null]))
            .description(Some(
                "What the person was trying to do and what went wrong. No personal data, please.",
            ))
            .pattern(Some(dasan_feedback::COMMENT_PATTERN))
            .max_length(Some(dasan_feedback::MAX_COMMENT_CHARS));
        let shape = ObjectBuilder::new()
            .schema_type(Type::Object)
            .required("page")
            .property("page", page)
            .property("helpful", helpful)
            .property("comment", comment)
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)));
        let answered = ObjectBuilder::new()
            .required("helpful")
            .property("helpful", ObjectBuilder::new().schema_type(Type::Boolean));
        let commented = ObjectBuilder::new().required("comment").property(
            "comment",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"\S")),
        );
        let either = AnyOfBuilder::new().item(answered).item(commented);
        AllOfBuilder::new()
            .description(Some(
                "Feedback about one portal page. Give `helpful`, a `comment`, or both.",
            ))
            .item(shape)
            .item(either)
            .into()
    }
}

impl utoipa::ToSchema for NewFeedback {}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedbackReceipt {
    /// The feedback's identifier.
    pub id: String,
}

/// Give feedback on a page.
///
/// Anonymous; stored for the agency that owns the page. The comment must not contain personal data.
#[utoipa::path(
    post,
    path = "/api/v1/feedback",
    tag = "portal",
    request_body = NewFeedback,
    responses(
        (status = 201, description = "Stored", body = FeedbackReceipt),
        (status = 400, description = "The body is not JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive in time", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "The feedback is not valid; `errors` says why, field by field", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "Temporarily unavailable; retry later", body = ProblemDocument, content_type = "application/problem+json"),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(body): ApiJson<NewFeedback>,
) -> Result<(StatusCode, Json<FeedbackReceipt>), WebError> {
    let input = FeedbackInput {
        page: body.page,
        helpful: body.helpful,
        comment: body.comment.unwrap_or_default(),
    };
    let actor = Actor::anonymous(Some(ctx.request_id.clone()));
    let id = dasan_feedback::submit(state.db(), actor, input, ctx.locale.code()).await?;
    Ok((
        StatusCode::CREATED,
        Json(FeedbackReceipt { id: id.to_string() }),
    ))
}
