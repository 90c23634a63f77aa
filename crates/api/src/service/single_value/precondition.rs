//! The optimistic concurrency of one figure: its strong `ETag`, and the preconditions of a
//! write (`If-Match`, `If-None-Match`) judged against the figure's current tag (RFC 9110
//! §13.1, §13.2.2). Pure; REST sends its headers, GraphQL its `ifMatch`/`ifNoneMatch`.

use chitieu_persistence::data_values::StoredDataValue;
use sha2::{Digest, Sha256};

use crate::{ApiError, dto::common::figure_json};

/// Longest `If-Match` or `If-None-Match` accepted, in bytes.
pub const MAX_CONDITION_BYTES: usize = 1_024;
/// Most entity tags one condition may list.
pub const MAX_TAGS: usize = 16;

/// The strong `ETag` of a stored figure: `"<first 128 bits of SHA-256 in hex>"` over its key
/// (element, unit, period), its value (or its state, appended only then, so the tags of values
/// stay what they were), its comment and its last change (when and by whom), so any change of
/// what a read shows changes the tag.
pub fn etag(v: &StoredDataValue) -> String {
    let mut fields = serde_json::json!([
        v.data_element,
        v.org_unit,
        v.period.to_string(),
        figure_json(&v.figure),
        v.comment,
        v.updated_at,
        v.updated_by,
    ]);
    if let (Some(state), Some(list)) = (v.figure.state(), fields.as_array_mut()) {
        list.push(state.as_str().into());
    }
    let digest = Sha256::digest(fields.to_string().as_bytes());
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// One `If-Match` or `If-None-Match`: `*`, or a list of entity tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `*`: any current figure.
    Any,
    /// The listed tags, each with its `W/` prefix if it had one.
    Tags(Vec<String>),
}

impl Condition {
    /// Reads a header's text; 400 `invalid_precondition` when it is neither `*` nor a list
    /// of 1 to [`MAX_TAGS`] quoted entity tags, or longer than [`MAX_CONDITION_BYTES`].
    pub fn parse(header: &'static str, text: &str) -> Result<Self, ApiError> {
        let invalid =
            |why: &str| ApiError::bad_request("invalid_precondition", format!("{header}: {why}"));
        if text.len() > MAX_CONDITION_BYTES {
            return Err(invalid("too long"));
        }
        let text = text.trim();
        if text == "*" {
            return Ok(Self::Any);
        }
        let tags: Vec<&str> = text.split(',').map(str::trim).collect();
        if tags.len() > MAX_TAGS {
            return Err(invalid("too many entity tags"));
        }
        let well_formed = |tag: &str| {
            let opaque = tag.strip_prefix("W/").unwrap_or(tag);
            opaque.len() >= 2
                && opaque.starts_with('"')
                && opaque.ends_with('"')
                && opaque[1..opaque.len() - 1]
                    .bytes()
                    .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b))
        };
        if !tags.iter().all(|t| well_formed(t)) {
            return Err(invalid("expected * or a list of quoted entity tags"));
        }
        Ok(Self::Tags(tags.into_iter().map(str::to_owned).collect()))
    }

    /// Strong comparison (`If-Match`): a weak tag never matches.
    fn matches_strongly(&self, current: Option<&str>) -> bool {
        match (self, current) {
            (_, None) => false,
            (Self::Any, Some(_)) => true,
            (Self::Tags(tags), Some(tag)) => tags.iter().any(|t| t == tag),
        }
    }

    /// Weak comparison (`If-None-Match`): `W/` prefixes are ignored.
    pub fn matches_weakly(&self, current: Option<&str>) -> bool {
        match (self, current) {
            (_, None) => false,
            (Self::Any, Some(_)) => true,
            (Self::Tags(tags), Some(tag)) => tags
                .iter()
                .any(|t| t.strip_prefix("W/").unwrap_or(t) == tag),
        }
    }
}

/// The preconditions of a write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preconditions {
    /// `If-Match`.
    pub if_match: Option<Condition>,
    /// `If-None-Match`.
    pub if_none_match: Option<Condition>,
}

impl Preconditions {
    /// Reads both conditions as sent (absent when `None`).
    pub fn parse(if_match: Option<&str>, if_none_match: Option<&str>) -> Result<Self, ApiError> {
        Ok(Self {
            if_match: if_match
                .map(|t| Condition::parse("If-Match", t))
                .transpose()?,
            if_none_match: if_none_match
                .map(|t| Condition::parse("If-None-Match", t))
                .transpose()?,
        })
    }

    /// A `PUT` needs `If-Match`, or `If-None-Match` (`*` to create only); a `DELETE` needs
    /// `If-Match`: 428 `precondition_required` otherwise, before anything is looked up.
    pub fn require(&self, creating_allowed: bool) -> Result<(), ApiError> {
        let given = self.if_match.is_some() || (creating_allowed && self.if_none_match.is_some());
        if given {
            return Ok(());
        }
        Err(ApiError::PreconditionRequired(if creating_allowed {
            "send If-Match with the figure's ETag to change it, or If-None-Match: * to create it"
                .into()
        } else {
            "send If-Match with the figure's ETag to delete it".into()
        }))
    }

    /// Judges the conditions against the current figure's tag (`None`: no figure), If-Match
    /// first: 412 `precondition_failed` when one fails.
    pub fn check(&self, current: Option<&str>) -> Result<(), ApiError> {
        if let Some(cond) = &self.if_match
            && !cond.matches_strongly(current)
        {
            return Err(ApiError::PreconditionFailed(match current {
                None => "If-Match: there is no such figure (any more)".into(),
                Some(_) => "If-Match: the figure changed since you read it; read it again".into(),
            }));
        }
        if let Some(cond) = &self.if_none_match
            && cond.matches_weakly(current)
        {
            return Err(ApiError::PreconditionFailed(
                "If-None-Match: the figure exists already".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chitieu_domain::{Figure, FigureState, Period, Value};
    use chitieu_persistence::DataValueId;

    use super::*;

    fn stored(value: i64, comment: Option<&str>, at: i64) -> StoredDataValue {
        StoredDataValue {
            id: DataValueId::new(1),
            data_element: "DE".into(),
            org_unit: "OU".into(),
            period: Period::parse("2023Q3").unwrap(),
            figure: Figure::Value(Value::Integer(value)),
            comment: comment.map(str::to_owned),
            updated_at: at,
            updated_by: "admin".into(),
        }
    }

    #[test]
    fn the_tag_is_strong_and_changes_with_what_a_read_shows() {
        let base = etag(&stored(1, None, 5));
        assert!(base.starts_with('"') && base.ends_with('"') && base.len() == 34);
        assert_eq!(base, etag(&stored(1, None, 5)));
        for other in [
            stored(2, None, 5),
            stored(1, Some("c"), 5),
            stored(1, None, 6),
            StoredDataValue {
                org_unit: "OU2".into(),
                ..stored(1, None, 5)
            },
            StoredDataValue {
                updated_by: "token:x".into(),
                ..stored(1, None, 5)
            },
        ] {
            assert_ne!(etag(&other), base);
        }
        // A state has a tag of its own, and each state another.
        let state = |s| StoredDataValue {
            figure: Figure::State(s),
            ..stored(1, None, 5)
        };
        let (no_source, pending) = (
            etag(&state(FigureState::NoSource)),
            etag(&state(FigureState::Pending)),
        );
        assert!(no_source != base && pending != base && no_source != pending);
    }

    fn pre(if_match: Option<&str>, if_none_match: Option<&str>) -> Preconditions {
        Preconditions::parse(if_match, if_none_match).unwrap()
    }

    fn code(r: Result<(), ApiError>) -> &'static str {
        r.err().map_or("ok", |e| e.code())
    }

    #[test]
    fn a_write_without_a_condition_is_refused_before_anything_else() {
        assert_eq!(code(pre(None, None).require(true)), "precondition_required");
        assert_eq!(
            code(pre(None, None).require(false)),
            "precondition_required"
        );
        assert_eq!(
            code(pre(None, Some("*")).require(false)),
            "precondition_required"
        );
        assert_eq!(code(pre(None, Some("*")).require(true)), "ok");
        assert_eq!(code(pre(Some("\"a\""), None).require(false)), "ok");
    }

    #[test]
    fn if_match_compares_strongly_and_if_none_match_weakly() {
        let tag = "\"abc\"";
        let cases = [
            (Some("\"abc\""), None, Some(tag), "ok"),
            (Some("\"x\", \"abc\""), None, Some(tag), "ok"),
            (Some("W/\"abc\""), None, Some(tag), "precondition_failed"),
            (Some("\"x\""), None, Some(tag), "precondition_failed"),
            (Some("\"abc\""), None, None, "precondition_failed"),
            (Some("*"), None, Some(tag), "ok"),
            (Some("*"), None, None, "precondition_failed"),
            (None, Some("*"), None, "ok"),
            (None, Some("*"), Some(tag), "precondition_failed"),
            (None, Some("W/\"abc\""), Some(tag), "precondition_failed"),
            (None, Some("\"x\""), Some(tag), "ok"),
        ];
        for (if_match, if_none_match, current, expected) in cases {
            assert_eq!(
                code(pre(if_match, if_none_match).check(current)),
                expected,
                "{if_match:?} {if_none_match:?} {current:?}"
            );
        }
    }

    #[test]
    fn malformed_or_oversized_conditions_are_refused() {
        let long = format!("\"{}\"", "a".repeat(MAX_CONDITION_BYTES));
        let many = vec!["\"a\""; MAX_TAGS + 1].join(",");
        for bad in [
            "", "abc", "\"a", "W/abc", "\"a\"b\"", "*, \"a\"", &long, &many,
        ] {
            let err = Preconditions::parse(Some(bad), None).unwrap_err();
            assert_eq!(err.code(), "invalid_precondition", "{bad:?}");
        }
    }
}
