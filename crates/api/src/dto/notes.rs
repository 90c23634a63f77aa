//! Notes of the catalogue on the wire: `GET /api/v1/notes`.

use chitieu_persistence::notes::StoredNote;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A note about one object of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteDto {
    /// Code.
    #[schema(example = "tree.ward_group")]
    pub code: String,
    /// What it is about, `kind:code`.
    #[schema(example = "org_unit:VT-PX")]
    pub subject: String,
    /// The text.
    pub text: String,
}

impl From<&StoredNote> for NoteDto {
    fn from(n: &StoredNote) -> Self {
        Self {
            code: n.note.code.to_string(),
            subject: n.note.subject.to_string(),
            text: n.note.text.as_str().to_owned(),
        }
    }
}

/// `GET /api/v1/notes`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteList {
    /// The notes, by code.
    pub notes: Vec<NoteDto>,
}

/// Query of `GET /api/v1/notes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NotesParams {
    /// Only the notes about this object, `kind:code` (e.g. `indicator:I.01`).
    pub subject: Option<String>,
}
