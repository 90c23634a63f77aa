//! Text refused at the edge, before any handler or parser sees it: NUL and the other
//! control characters in the URL (every path segment and query parameter) and in every
//! string of a JSON body. The rule itself is the domain's ([`TextKind`]); fields with a
//! stricter rule (single-line names, codes, search text) are checked again where they are
//! parsed, so GraphQL and the command line get the same answers.
//!
//! - A path segment is single-line text: any control character is 400 `invalid_text`.
//! - A query parameter may be a GraphQL document (`GET /graphql?query=…`), so the URL guard
//!   lets tab and line breaks through there; [`crate::json::ApiQuery`] refuses them too.
//! - A JSON body's strings are checked as multi-line text, the most any field allows: 422
//!   `invalid_text` with the path of each offending string in `errors[]`.

use std::fmt::Write as _;

use axum::{extract::Request, middleware::Next, response::Response};
use chitieu_domain::TextKind;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::{ApiError, FieldError};

/// The stable code of every refusal of this module.
pub const CODE: &str = "invalid_text";

/// At most this many offending strings of one body are listed.
const MAX_LISTED: usize = 20;

/// 400 `invalid_text` for a query parameter or path segment.
fn refused_in_url(what: &str, kind: TextKind, position: usize, c: char) -> ApiError {
    ApiError::bad_request(CODE, format!("{what}: {}", kind.refusal(position, c)))
}

/// Checks every decoded query parameter (name and value) of `query` as `kind`.
pub fn check_query(query: &str, kind: TextKind) -> Result<(), ApiError> {
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if let Some((position, c)) = kind.first_refused(&name) {
            return Err(refused_in_url(
                &format!("the name of query parameter {name:?}"),
                kind,
                position,
                c,
            ));
        }
        if let Some((position, c)) = kind.first_refused(&value) {
            return Err(refused_in_url(
                &format!("query parameter '{}'", name.escape_debug()),
                kind,
                position,
                c,
            ));
        }
    }
    Ok(())
}

/// Checks every percent-decoded segment of `path` as single-line text.
pub fn check_path(path: &str) -> Result<(), ApiError> {
    for segment in path.split('/') {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        if let Some((position, c)) = TextKind::SingleLine.first_refused(&decoded) {
            return Err(refused_in_url(
                &format!("path segment {:?}", decoded),
                TextKind::SingleLine,
                position,
                c,
            ));
        }
    }
    Ok(())
}

/// Middleware: a URL with NUL or another control character in a path segment or a query
/// parameter is answered 400 `invalid_text` before routing.
pub async fn guard_url(req: Request, next: Next) -> Response {
    use axum::response::IntoResponse;
    let uri = req.uri();
    let checked = check_path(uri.path()).and_then(|()| match uri.query() {
        Some(q) => check_query(q, TextKind::MultiLine),
        None => Ok(()),
    });
    match checked {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

/// Checks every string (and key) of a JSON body as multi-line text: 422 `invalid_text`
/// listing where each offending string is. A body that is not JSON passes; the
/// deserialiser answers for it.
pub fn check_json_body(body: &[u8]) -> Result<(), ApiError> {
    let mut walk = Walk::default();
    let mut de = serde_json::Deserializer::from_slice(body);
    // A body that is not JSON is the deserialiser's to refuse; what was read so far counts.
    let _ = Seed(&mut walk).deserialize(&mut de);
    if walk.found.is_empty() {
        return Ok(());
    }
    let detail = if walk.more {
        format!(
            "more than {MAX_LISTED} strings of the body hold characters text may not hold; the first are listed"
        )
    } else {
        format!(
            "{} string(s) of the body hold characters text may not hold",
            walk.found.len()
        )
    };
    Err(ApiError::Validation {
        code: CODE,
        detail,
        errors: walk.found,
    })
}

#[derive(Default)]
struct Walk {
    /// Where the walk is, as `a.b[2].c`.
    path: String,
    found: Vec<FieldError>,
    /// More offending strings than listed.
    more: bool,
}

impl Walk {
    fn check(&mut self, s: &str, what: &str) {
        let kind = TextKind::MultiLine;
        let Some((position, c)) = kind.first_refused(s) else {
            return;
        };
        if self.found.len() == MAX_LISTED {
            self.more = true;
            return;
        }
        let field = if self.path.is_empty() {
            "(body)".to_owned()
        } else {
            self.path.clone()
        };
        self.found.push(FieldError {
            field,
            code: CODE.to_owned(),
            message: format!("{what}{}", kind.refusal(position, c)),
        });
    }
}

/// Walks one JSON value without building it.
struct Seed<'a>(&'a mut Walk);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_i128<E>(self, _: i128) -> Result<(), E> {
        Ok(())
    }

    fn visit_u128<E>(self, _: u128) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.check(v, "");
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let walk = self.0;
        let base = walk.path.len();
        let mut i = 0usize;
        loop {
            let _ = write!(walk.path, "[{i}]");
            let more = seq.next_element_seed(Seed(&mut *walk))?;
            walk.path.truncate(base);
            if more.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let walk = self.0;
        let base = walk.path.len();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            walk.check(&key, "a key: ");
            if base > 0 {
                walk.path.push('.');
            }
            walk.path.push_str(&key);
            map.next_value_seed(Seed(&mut *walk))?;
            walk.path.truncate(base);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fields(body: &str) -> Vec<String> {
        match check_json_body(body.as_bytes()) {
            Ok(()) => Vec::new(),
            Err(ApiError::Validation { code, errors, .. }) => {
                assert_eq!(code, CODE);
                errors.into_iter().map(|e| e.field).collect()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_every_string_with_a_control_character() {
        let body = r#"{"org_units": [{"code": "A", "name": "x\u0000y"}, {"name": "ok\ttab"}],
                       "label": "a\u0001", "nested": {"deep": ["fine", "b\u007f"]}}"#;
        assert_eq!(
            fields(body),
            ["org_units[0].name", "label", "nested.deep[1]"]
        );
    }

    #[test]
    fn multi_line_text_and_other_json_pass() {
        for body in [
            r#"{"comment": "dòng 1\r\ndòng 2\tcột", "n": 1.5, "b": true, "z": null, "a": [1, "x"]}"#,
            r#"{"value": 9223372036854775807123456789}"#,
            "not json at all",
            r#"{"unterminated": "#,
            "[]",
        ] {
            assert!(fields(body).is_empty(), "{body}");
        }
    }

    #[test]
    fn keys_and_top_level_strings_are_checked_and_the_list_is_bounded() {
        assert_eq!(fields(r#"{"a\u0000": 1}"#), ["(body)"]);
        assert_eq!(fields(r#""\u0000""#), ["(body)"]);
        let many: Vec<String> = (0..50).map(|i| format!(r#""k{i}": "\u0000""#)).collect();
        let body = format!("{{{}}}", many.join(","));
        assert_eq!(fields(&body).len(), MAX_LISTED);
    }

    #[test]
    fn url_paths_and_queries() {
        assert!(check_path("/api/v1/org-units/VT-P1").is_ok());
        assert!(check_path("/api/v1/org-units/Ph%C6%B0%E1%BB%9Dng").is_ok());
        for bad in ["/api/v1/org-units/a%00b", "/x/%0A", "/x/%C2%85"] {
            assert_eq!(check_path(bad).unwrap_err().code(), CODE, "{bad}");
        }
        assert!(check_query("query=%7B%0A%20me%20%7D", TextKind::MultiLine).is_ok());
        assert!(check_query("query=%7B%0A%20me%20%7D", TextKind::SingleLine).is_err());
        assert!(check_query("q=a%00", TextKind::MultiLine).is_err());
        assert!(check_query("a%01=1", TextKind::MultiLine).is_err());
        assert!(check_query("q=Ph%C6%B0%E1%BB%9Dng+8", TextKind::SingleLine).is_ok());
    }
}
