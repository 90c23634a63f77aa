//! The checks of a bundle's projects and notes, and their steps in the plan. Pure, like
//! [`super::check`], which calls them with the rest of the bundle.
//!
//! A project names a stored or bundled unit and lists each milestone code once. A note's
//! subject of a checked kind ([`SubjectKind::checked`]) names an object that is stored or
//! declared by the same bundle (an item that failed for another reason but named a valid
//! code counts as declared, so it is not reported twice); `table` and `target` subjects are
//! not checked.

use chitieu_domain::SubjectKind;

use super::{
    FieldPath, List, MetadataBundle,
    check::{MetadataIssue, Problem, duplicates},
    existing::Existing,
    plan::Step,
};
use crate::{NoteId, ProjectId};

/// Checks the projects and notes of `bundle`, adding every problem.
pub(super) fn check(issues: &mut Vec<MetadataIssue>, bundle: &MetadataBundle, existing: &Existing) {
    duplicates(
        issues,
        List::Projects,
        bundle.projects.iter().map(|(i, p)| (*i, p.code.as_str())),
    );
    for (i, project) in &bundle.projects {
        if !unit_known(bundle, existing, project.org_unit.as_str()) {
            issues.push(MetadataIssue::new(
                FieldPath::field(List::Projects, *i, "org_unit"),
                Problem::UnknownOrgUnit {
                    code: project.org_unit.to_string(),
                },
            ));
        }
        for code in project.repeated() {
            issues.push(MetadataIssue::new(
                FieldPath::field(List::Projects, *i, "milestones"),
                Problem::DuplicateEntry {
                    code: code.to_string(),
                },
            ));
        }
    }
    duplicates(
        issues,
        List::Notes,
        bundle.notes.iter().map(|(i, n)| (*i, n.code.as_str())),
    );
    for (i, note) in &bundle.notes {
        let (kind, code) = (note.subject.kind(), note.subject.code());
        let stored = (existing.projects.subjects).contains(&(kind, code.to_owned()));
        if kind.checked() && !stored && !in_bundle(bundle, kind, code) {
            issues.push(MetadataIssue::new(
                FieldPath::field(List::Notes, *i, "subject"),
                Problem::UnknownSubject {
                    subject: note.subject.to_string(),
                },
            ));
        }
    }
}

fn unit_known(bundle: &MetadataBundle, existing: &Existing, code: &str) -> bool {
    existing.units.contains_key(code) || in_bundle(bundle, SubjectKind::OrgUnit, code)
}

/// Whether the bundle declares the object `kind:code` (valid or not).
fn in_bundle(bundle: &MetadataBundle, kind: SubjectKind, code: &str) -> bool {
    fn any<T>(items: &[(usize, T)], code_of: impl Fn(&T) -> &str, code: &str) -> bool {
        items.iter().any(|(_, x)| code_of(x) == code)
    }
    let declared = &bundle.declared;
    match kind {
        SubjectKind::OrgUnit => {
            any(&bundle.org_units, |u| u.code.as_str(), code)
                || declared.org_units.contains(code)
        }
        SubjectKind::DataElement => {
            any(&bundle.data_elements, |e| e.code.as_str(), code)
                || declared.data_elements.contains(code)
        }
        SubjectKind::Indicator => {
            any(&bundle.indicators, |x| x.code.as_str(), code)
                || declared.indicators.contains(code)
        }
        SubjectKind::IndicatorGroup => any(&bundle.indicator_groups, |g| g.code.as_str(), code),
        SubjectKind::DataSet => any(&bundle.data_sets, |d| d.code.as_str(), code),
        SubjectKind::ValidationRule => any(&bundle.validation_rules, |r| r.code.as_str(), code),
        SubjectKind::Project => {
            any(&bundle.projects, |p| p.code.as_str(), code) || declared.projects.contains(code)
        }
        SubjectKind::Table | SubjectKind::Target => true,
    }
}

/// The plan's steps for the bundle's projects and notes.
pub(super) type Steps<'a> = (
    Vec<Step<'a, chitieu_domain::Project, ProjectId>>,
    Vec<Step<'a, chitieu_domain::Note, NoteId>>,
);

/// What happens to each project and note: created, updated or left as it is. A project is
/// the same when its name, unit and milestone list (codes, names, planned months, order) are.
pub(super) fn steps<'a>(bundle: &'a MetadataBundle, existing: &Existing) -> Steps<'a> {
    let stored = &existing.projects;
    let projects = (bundle.projects.iter())
        .map(|(_, p)| match stored.projects.get(p.code.as_str()) {
            None => Step::Create(p),
            Some(old) if old.project() == *p => Step::Same,
            Some(old) => Step::Update(old.id, p),
        })
        .collect();
    let notes = (bundle.notes.iter())
        .map(|(_, n)| {
            let old = stored.notes.get(n.code.as_str());
            Step::of(n, old.map(|o| (o.id, &o.note)))
        })
        .collect();
    (projects, notes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chitieu_domain::{
        MilestoneCode, Note, NoteCode, NoteText, OrgUnitCode, Project, ProjectCode,
        ProjectMilestone, Subject, UnitName, project::parse_month,
    };

    use super::*;
    use crate::OrgUnitId;
    use crate::metadata::existing::ExistingUnit;

    fn project(code: &str, unit: &str, milestones: &[&str]) -> Project {
        Project {
            code: ProjectCode::parse(code).unwrap(),
            name: UnitName::parse("Project").unwrap(),
            org_unit: OrgUnitCode::parse(unit).unwrap(),
            milestones: (milestones.iter())
                .map(|m| ProjectMilestone {
                    code: MilestoneCode::parse(m).unwrap(),
                    name: UnitName::parse("Step").unwrap(),
                    planned: parse_month("2023-09").unwrap(),
                })
                .collect(),
        }
    }

    fn note(code: &str, subject: &str) -> Note {
        Note {
            code: NoteCode::parse(code).unwrap(),
            subject: Subject::parse(subject).unwrap(),
            text: NoteText::parse("Why").unwrap(),
        }
    }

    fn stored() -> Existing {
        let mut existing = Existing::default();
        let code = OrgUnitCode::parse("VT").unwrap();
        existing.units.insert(
            "VT".to_owned(),
            ExistingUnit {
                id: OrgUnitId::new(1),
                code,
                name: "Vũng Tàu".to_owned(),
                kind: "city".to_owned(),
                parent: None,
            },
        );
        (existing.projects.subjects).insert((SubjectKind::Indicator, "I.01".to_owned()));
        existing
    }

    fn found(bundle: &MetadataBundle) -> Vec<(String, &'static str)> {
        let mut issues = Vec::new();
        check(&mut issues, bundle, &stored());
        (issues.iter())
            .map(|i| (i.path.to_string(), i.code()))
            .collect()
    }

    #[test]
    fn projects_name_a_known_unit_and_each_milestone_once() {
        let bundle = MetadataBundle {
            projects: vec![
                (0, project("IOC", "VT", &["M1", "M2", "M1"])),
                (1, project("IOC", "NOWHERE", &["M1"])),
            ],
            ..MetadataBundle::default()
        };
        assert_eq!(
            found(&bundle),
            [
                ("projects[1].code".to_owned(), "duplicate_code"),
                ("projects[0].milestones".to_owned(), "duplicate_code"),
                ("projects[1].org_unit".to_owned(), "unknown_org_unit"),
            ]
        );
    }

    #[test]
    fn notes_name_stored_or_bundled_subjects_tables_and_targets_unchecked() {
        let mut bundle = MetadataBundle {
            projects: vec![(0, project("IOC", "VT", &["M1"]))],
            notes: vec![
                (0, note("a", "indicator:I.01")),
                (1, note("b", "project:IOC")),
                (2, note("c", "table:T1")),
                (3, note("d", "target:national")),
                (4, note("e", "org_unit:VT")),
                (5, note("f", "indicator:I.99")),
                (6, note("g", "data_set:BROKEN")),
                (7, note("a", "org_unit:GONE")),
                (8, note("h", "project:DECLARED")),
            ],
            ..MetadataBundle::default()
        };
        bundle.declared.projects.insert("DECLARED".to_owned());
        assert_eq!(
            found(&bundle),
            [
                ("notes[7].code".to_owned(), "duplicate_code"),
                ("notes[5].subject".to_owned(), "unknown_subject"),
                ("notes[6].subject".to_owned(), "unknown_subject"),
                ("notes[7].subject".to_owned(), "unknown_subject"),
            ]
        );
    }
}
