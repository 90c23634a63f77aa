//! What the store holds that a bundle's projects and notes are compared with: the projects
//! and notes of the bundle's codes, and which of the subjects its notes name exist.

use std::collections::{HashMap, HashSet};

use chitieu_domain::SubjectKind;
use sea_orm::ConnectionTrait;

use super::MetadataBundle;
use crate::{
    PersistenceError,
    notes::{self, StoredNote},
    projects::{self, StoredProject},
};

/// The stored projects and notes of a bundle's codes, and its notes' stored subjects.
#[derive(Clone, Debug, Default)]
pub(super) struct ExistingProjects {
    /// The projects the bundle declares, by code, with their milestones.
    pub projects: HashMap<String, StoredProject>,
    /// The notes the bundle declares, by code.
    pub notes: HashMap<String, StoredNote>,
    /// The subjects of the bundle's notes that are stored, as (kind, code).
    pub subjects: HashSet<(SubjectKind, String)>,
}

/// Loads them: a few statements whatever the bundle's size.
pub(super) async fn load(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
) -> Result<ExistingProjects, PersistenceError> {
    let project_codes: Vec<&str> = (bundle.projects.iter())
        .map(|(_, p)| p.code.as_str())
        .collect();
    let note_codes: Vec<&str> = bundle.notes.iter().map(|(_, n)| n.code.as_str()).collect();
    let subjects: Vec<&chitieu_domain::Subject> =
        bundle.notes.iter().map(|(_, n)| &n.subject).collect();
    Ok(ExistingProjects {
        projects: (projects::by_codes(db, &project_codes).await?.into_iter())
            .map(|p| (p.code.as_str().to_owned(), p))
            .collect(),
        notes: (notes::by_codes(db, &note_codes).await?.into_iter())
            .map(|n| (n.note.code.as_str().to_owned(), n))
            .collect(),
        subjects: notes::existing_subjects(db, &subjects).await?,
    })
}
