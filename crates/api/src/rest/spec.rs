//! Completes the document utoipa-axum builds from the routes with what operations share,
//! so no annotation can forget it: the problem answers every extractor and middleware may
//! give (400/413/415/422 for parameters and bodies; 401/403/429 behind a token), the
//! `x-request-id` header on every answer, ETag/`If-None-Match`/304 on the conditional reads,
//! and the grammar of parameters that share a name (codes, periods, cursors), so the
//! document says exactly which values are well-formed.

use utoipa::openapi::{
    Components, ContentBuilder, HeaderBuilder, Object, OpenApi, PathItem, Ref, RefOr, Required,
    ResponseBuilder, Type,
    path::{Operation, ParameterBuilder, ParameterIn},
};

use crate::error::PROBLEM_JSON;

const REQUEST_ID: &str = "x-request-id";

/// A code: 1–50 of `A-Z a-z 0-9 _ - .`.
pub const CODE_PATTERN: &str = "^[A-Za-z0-9_.-]{1,50}$";
/// A period: a year, half year, quarter, month or an interval of months (an interval's end
/// may not precede its start, which a pattern cannot say).
pub const PERIOD_PATTERN: &str =
    "^[1-9][0-9]{3}(H[12]|Q[1-4]|-(0[1-9]|1[0-2])(/[1-9][0-9]{3}-(0[1-9]|1[0-2]))?)?$";
/// An opaque cursor (base64url).
const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]+$";

/// The grammar of a parameter, by name.
fn parameter_grammar(name: &str) -> Option<Object> {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat};
    let pattern = |p: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(p))
    };
    let code = |example: &str| Some(pattern(CODE_PATTERN).examples([example]).build());
    match name {
        "org_unit" | "code" => code("VT-P1"),
        "parent" => code("VT"),
        "data_element" => code("DOC_OUT_SW"),
        "indicator" => code("DOC_SW_RATE"),
        "period" => Some(
            pattern(PERIOD_PATTERN)
                .examples(["2023-01/2023-09"])
                .build(),
        ),
        "cursor" => Some(pattern(CURSOR_PATTERN).build()),
        "Idempotency-Key" => Some(pattern("^[!-~]{1,255}$").build()),
        "breakdown" => Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["self", "children"]))
                .build(),
        ),
        "updated_since" => Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .build(),
        ),
        _ => None,
    }
}

/// Replaces the schema of parameters whose name has a grammar, keeping arrays (repeated
/// keys) as arrays of it.
fn tighten_parameters(op: &mut Operation) {
    use utoipa::openapi::schema::{Array, Schema};
    for param in op.parameters.iter_mut().flatten() {
        let RefOr::T(param) = param else { continue };
        let Some(grammar) = parameter_grammar(&param.name) else {
            continue;
        };
        param.schema = Some(match param.schema.take() {
            Some(RefOr::T(Schema::Array(_))) => RefOr::T(Schema::Array(Array::new(grammar))),
            _ => RefOr::T(Schema::Object(grammar)),
        });
    }
}

/// Shared problem answers: (status, component name, description).
const PROBLEMS: [(&str, &str, &str); 7] = [
    (
        "400",
        "BadRequest",
        "Malformed input: a query parameter, path segment, cursor or body that does not fit (`invalid_query`, `invalid_period`, `malformed_json`, ...), or NUL or another control character in a query parameter or path segment (`invalid_text`)",
    ),
    ("401", "Unauthorized", "No valid token (`unauthorized`)"),
    (
        "403",
        "Forbidden",
        "The role or the token's scopes do not allow this, or it lies outside the caller's subtree (`forbidden`)",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is over 16 MiB (`payload_too_large`)",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not of a supported content type (`unsupported_media_type`)",
    ),
    (
        "422",
        "UnprocessableEntity",
        "Valid JSON of the wrong shape (`invalid_body`), or a string holding NUL or another control character other than tab and line breaks (`invalid_text`, each such string in `errors[]`)",
    ),
    (
        "429",
        "RateLimited",
        "The token used up its request rate limit (`rate_limited`); `Retry-After` says when to retry",
    ),
];

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn string() -> Object {
    Object::with_type(Type::String)
}

fn problem_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .header_ref(REQUEST_ID, Ref::new("#/components/headers/RequestId"))
        .build()
}

fn add_components(c: &mut Components) {
    c.headers.insert(
        "RequestId".into(),
        RefOr::T(
            HeaderBuilder::new()
                .schema(Some(string()))
                .description(Some(
                    "The request's id: the client's own `x-request-id`, or a generated UUID. The same id is on the request's log lines.",
                ))
                .build(),
        ),
    );
    c.headers.insert(
        "ETag".into(),
        RefOr::T(
            HeaderBuilder::new()
                .schema(Some(string()))
                .description(Some(
                    "Strong entity tag of the body; send it in `If-None-Match` to get 304 while nothing changed.",
                ))
                .build(),
        ),
    );
    for (_, name, description) in PROBLEMS {
        let mut response = problem_response(description);
        if name == "RateLimited" {
            response.headers.insert(
                "Retry-After".into(),
                RefOr::T(
                    HeaderBuilder::new()
                        .schema(Some(Object::with_type(Type::Integer)))
                        .description(Some("Seconds to wait before retrying."))
                        .build(),
                ),
            );
        }
        c.responses.insert(name.into(), RefOr::T(response));
    }
    c.responses.insert(
        "NotModified".into(),
        RefOr::T(
            ResponseBuilder::new()
                .description("The `If-None-Match` tag is current: nothing changed; no body")
                .header_ref("ETag", Ref::new("#/components/headers/ETag"))
                .header_ref(REQUEST_ID, Ref::new("#/components/headers/RequestId"))
                .build(),
        ),
    );
}

/// Adds the shared answers and headers to every operation of `doc`.
pub fn complete(doc: &mut OpenApi) {
    add_components(doc.components.get_or_insert_with(Default::default));
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            tighten_parameters(op);
            let params = op.parameters.as_deref().unwrap_or_default();
            let has_input = !params.is_empty() || op.request_body.is_some();
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let body = op.request_body.is_some();
            for (status, name, _) in PROBLEMS {
                let wanted = match status {
                    "400" => has_input,
                    "401" | "403" | "429" => secured,
                    _ => body,
                };
                if wanted {
                    op.responses
                        .responses
                        .entry(status.into())
                        .or_insert_with(|| {
                            RefOr::Ref(Ref::new(format!("#/components/responses/{name}")))
                        });
                }
            }
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(r) = response {
                    r.headers
                        .entry(REQUEST_ID.into())
                        .or_insert_with(|| RefOr::Ref(Ref::new("#/components/headers/RequestId")));
                }
            }
        }
    }
}

/// Declares ETag, `If-None-Match` and 304 on every operation of `doc` (the routes behind
/// [`crate::etag::conditional`]).
pub fn mark_conditional(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            op.parameters.get_or_insert_with(Vec::new).push(RefOr::T(
                ParameterBuilder::new()
                    .name("If-None-Match")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .schema(Some(string()))
                    .description(Some(
                        "The `ETag` of an answer you already have: 304 while it is current.",
                    ))
                    .build(),
            ));
            if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
                ok.headers.insert(
                    "ETag".into(),
                    RefOr::Ref(Ref::new("#/components/headers/ETag")),
                );
            }
            op.responses.responses.insert(
                "304".into(),
                RefOr::Ref(Ref::new("#/components/responses/NotModified")),
            );
        }
    }
}
