//! `GET /api/v1/notes`.

use axum::{Json, extract::State};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::notes::{NoteDto, NoteList, NotesParams},
    json::ApiQuery,
    service::notes,
};

/// The notes of the catalogue (the readings and choices behind the metadata), by code;
/// with `subject`, those about one object.
#[utoipa::path(get, path = "/api/v1/notes", tag = "catalogue", operation_id = "list_notes",
    params(NotesParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Notes by code", body = NoteList),
        (status = 400, description = "A malformed subject (`invalid_subject`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_notes(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<NotesParams>,
) -> Result<Json<NoteList>, ApiError> {
    let list = notes::list(&state, &caller, query.subject.as_deref()).await?;
    Ok(Json(NoteList {
        notes: list.iter().map(NoteDto::from).collect(),
    }))
}
