//! The project and note lists of the metadata bundle (`projects`, `notes`) and their
//! translation into domain types, every problem with its place.

use chitieu_domain::{
    DomainError, MilestoneCode, Note, NoteCode, NoteText, OrgUnitCode, Project, ProjectCode,
    ProjectMilestone, Subject, UnitName,
    project::{MAX_MILESTONES, parse_month},
};
use chitieu_persistence::{FieldIssue, metadata::MetadataBundle};
use serde::Deserialize;
use utoipa::ToSchema;

/// A project of an org unit with its milestones in order; the list replaces the stored one
/// (a kept milestone code keeps its recorded progress, a removed one loses it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    /// Stable code.
    #[schema(example = "IOC-VT")]
    pub code: String,
    /// Name.
    #[schema(example = "Trung tâm điều hành đô thị thông minh")]
    pub name: String,
    /// The unit carrying it out: users and tokens writing on its subtree record progress.
    #[schema(example = "VT")]
    pub org_unit: String,
    /// The milestones in their order (at most 200).
    pub milestones: Vec<MilestoneInput>,
}

/// One milestone of a project: its plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    /// Code, unique within the project.
    #[schema(example = "M4")]
    pub code: String,
    /// Name.
    #[schema(example = "Vận hành thử nghiệm")]
    pub name: String,
    /// The month it is planned for (`YYYY-MM`).
    #[schema(example = "2023-12")]
    pub planned: String,
}

/// A note of the catalogue about one object.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// Stable code.
    #[schema(example = "tree.ward_group")]
    pub code: String,
    /// What it is about: `kind:code`, the kind one of `org_unit`, `data_element`,
    /// `indicator`, `indicator_group`, `data_set`, `validation_rule`, `project` (which must
    /// exist), `table` or `target` (not checked).
    #[schema(example = "org_unit:VT-PX")]
    pub subject: String,
    /// The text (multi-line, at most 10 000 characters).
    pub text: String,
}

struct Item<'a> {
    issues: &'a mut Vec<FieldIssue>,
    prefix: String,
}

impl Item<'_> {
    fn take<T>(&mut self, field: &str, r: Result<T, DomainError>) -> Option<T> {
        r.map_err(|e| {
            let at = format!("{}.{field}", self.prefix);
            self.issues
                .push(FieldIssue::new(at, e.code(), e.to_string()));
        })
        .ok()
    }
}

/// Translates the two lists into `bundle`, adding the problems to `issues`.
pub(super) fn translate(
    projects: Vec<ProjectInput>,
    notes: Vec<NoteInput>,
    bundle: &mut MetadataBundle,
    issues: &mut Vec<FieldIssue>,
) {
    for (i, p) in projects.into_iter().enumerate() {
        let mut c = Item {
            issues,
            prefix: format!("projects[{i}]"),
        };
        let code = c.take("code", ProjectCode::parse(&p.code));
        match project(&mut c, &p) {
            Some(project) => bundle.projects.push((i, project)),
            None => {
                if let Some(code) = code {
                    bundle.declared.projects.insert(code.into_string());
                }
            }
        }
    }
    for (i, n) in notes.into_iter().enumerate() {
        let mut c = Item {
            issues,
            prefix: format!("notes[{i}]"),
        };
        let code = c.take("code", NoteCode::parse(&n.code));
        let subject = c.take("subject", Subject::parse(&n.subject));
        let text = c.take("text", NoteText::parse(&n.text));
        if let (Some(code), Some(subject), Some(text)) = (code, subject, text) {
            bundle.notes.push((
                i,
                Note {
                    code,
                    subject,
                    text,
                },
            ));
        }
    }
}

fn project(c: &mut Item<'_>, p: &ProjectInput) -> Option<Project> {
    let code = ProjectCode::parse(&p.code).ok();
    let name = c.take("name", UnitName::parse(&p.name));
    let org_unit = c.take("org_unit", OrgUnitCode::parse(&p.org_unit));
    let milestones = if p.milestones.len() > MAX_MILESTONES {
        let message = format!("{} items; at most {MAX_MILESTONES}", p.milestones.len());
        let at = format!("{}.milestones", c.prefix);
        c.issues
            .push(FieldIssue::new(at, "too_many_items", message));
        None
    } else {
        let parsed: Vec<Option<ProjectMilestone>> = (p.milestones.iter().enumerate())
            .map(|(j, m)| {
                let code = c.take(
                    &format!("milestones[{j}].code"),
                    MilestoneCode::parse(&m.code),
                );
                let name = c.take(&format!("milestones[{j}].name"), UnitName::parse(&m.name));
                let planned = c.take(&format!("milestones[{j}].planned"), parse_month(&m.planned));
                Some(ProjectMilestone {
                    code: code?,
                    name: name?,
                    planned: planned?,
                })
            })
            .collect();
        parsed.into_iter().collect()
    };
    Some(Project {
        code: code?,
        name: name?,
        org_unit: org_unit?,
        milestones: milestones?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The draft demo bundle's projects and notes are accepted as written.
    #[test]
    fn the_draft_demo_projects_and_notes_translate_without_issues() {
        let draft: serde_json::Value =
            serde_json::from_str(include_str!("../../demo/vungtau-metadata.json")).unwrap();
        let projects: Vec<ProjectInput> =
            serde_json::from_value(draft["projects"].clone()).unwrap();
        let notes: Vec<NoteInput> = serde_json::from_value(draft["notes"].clone()).unwrap();
        let (mut bundle, mut issues) = (MetadataBundle::default(), Vec::new());
        let counts = (projects.len(), notes.len());
        translate(projects, notes, &mut bundle, &mut issues);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!((bundle.projects.len(), bundle.notes.len()), counts);
        let ioc = &bundle.projects[0].1;
        assert_eq!((ioc.code.as_str(), ioc.milestones.len()), ("IOC-VT", 5));
        assert_eq!(ioc.milestones[4].planned.to_string(), "2023-01");
    }

    #[test]
    fn milestone_errors_name_their_place() {
        let projects: Vec<ProjectInput> = serde_json::from_value(serde_json::json!([
            {"code": "P 1", "name": "", "org_unit": "VT", "milestones": [
                {"code": "M1", "name": "Bước", "planned": "2023-13"}]}
        ]))
        .unwrap();
        let (mut bundle, mut issues) = (MetadataBundle::default(), Vec::new());
        translate(projects, Vec::new(), &mut bundle, &mut issues);
        let found: Vec<(&str, &str)> = (issues.iter())
            .map(|i| (i.field.as_str(), i.code))
            .collect();
        assert_eq!(
            found,
            [
                ("projects[0].code", "invalid_code"),
                ("projects[0].name", "invalid_name"),
                ("projects[0].milestones[0].planned", "invalid_period"),
            ]
        );
        assert!(bundle.projects.is_empty() && bundle.declared.projects.is_empty());
    }
}
