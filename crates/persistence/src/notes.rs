//! The notes of the catalogue read back: all of them, those about one subject, or those of
//! some codes; and which of the subjects notes name exist.

use std::collections::HashSet;

use chitieu_domain::{Note, NoteCode, NoteText, Subject, SubjectKind};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{NoteId, PersistenceError, sql};

/// A stored note and its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredNote {
    /// Internal id.
    pub id: NoteId,
    /// The note.
    pub note: Note,
}

#[derive(FromQueryResult)]
struct NoteRow {
    id: NoteId,
    code: String,
    subject_kind: String,
    subject_code: String,
    text: String,
}

const NOTES: &str = "SELECT id, code, subject_kind, subject_code, text FROM note";

/// Every note, or those about `subject`, by code.
pub async fn list(
    db: &impl ConnectionTrait,
    subject: Option<&Subject>,
) -> Result<Vec<StoredNote>, PersistenceError> {
    let rows: Vec<NoteRow> = match subject {
        None => sql::query_as(db, NOTES, vec![]).await?,
        Some(s) => {
            let sql = format!("{NOTES} WHERE subject_kind = ? AND subject_code = ?");
            let values = vec![s.kind().as_str().into(), s.code().into()];
            sql::query_as(db, &sql, values).await?
        }
    };
    let mut notes = rows.into_iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    // In code order as Rust compares it, whatever the database's collation.
    notes.sort_by(|a, b| a.note.code.cmp(&b.note.code));
    Ok(notes)
}

/// The notes of these codes; unknown codes are left out.
pub async fn by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<Vec<StoredNote>, PersistenceError> {
    let rows: Vec<NoteRow> = sql::query_in(db, &format!("{NOTES} WHERE code"), codes, "").await?;
    rows.into_iter().map(decode).collect()
}

fn decode(row: NoteRow) -> Result<StoredNote, PersistenceError> {
    let subject = Subject::parse(&format!("{}:{}", row.subject_kind, row.subject_code))
        .map_err(PersistenceError::corrupt)?;
    Ok(StoredNote {
        id: row.id,
        note: Note {
            code: NoteCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
            subject,
            text: NoteText::parse(&row.text).map_err(PersistenceError::corrupt)?,
        },
    })
}

/// The table holding the objects of a checked kind; `None` for unchecked kinds.
fn table_of(kind: SubjectKind) -> Option<&'static str> {
    Some(match kind {
        SubjectKind::OrgUnit => "org_unit",
        SubjectKind::DataElement => "data_element",
        SubjectKind::Indicator => "indicator",
        SubjectKind::IndicatorGroup => "indicator_group",
        SubjectKind::DataSet => "data_set",
        SubjectKind::ValidationRule => "validation_rule",
        SubjectKind::Project => "project",
        SubjectKind::Table | SubjectKind::Target => return None,
    })
}

#[derive(FromQueryResult)]
struct CodeRow {
    code: String,
}

/// Which of `subjects` exist in the store, as (kind, code): one statement per kind named.
pub async fn existing_subjects(
    db: &impl ConnectionTrait,
    subjects: &[&Subject],
) -> Result<HashSet<(SubjectKind, String)>, PersistenceError> {
    let mut out = HashSet::new();
    for kind in SubjectKind::ALL {
        let Some(table) = table_of(kind) else {
            continue;
        };
        let codes: Vec<&str> = (subjects.iter())
            .filter(|s| s.kind() == kind)
            .map(|s| s.code())
            .collect();
        if codes.is_empty() {
            continue;
        }
        let sql = format!("SELECT code FROM {table} WHERE code");
        let rows: Vec<CodeRow> = sql::query_in(db, &sql, &codes, "").await?;
        out.extend(rows.into_iter().map(|r| (kind, r.code)));
    }
    Ok(out)
}
