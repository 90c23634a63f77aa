//! The one fingerprint of a submission, whichever edge received it: SHA-256 over the rows as
//! the service reads them (defaults applied) and the dry-run flag. A retry under the same
//! idempotency key must have the same fingerprint; the same figures sent as JSON or through
//! GraphQL are the same request.

use chitieu_domain::ValueInput;
use chitieu_persistence::submission::{RawRow, RawValue};
use sha2::{Digest, Sha256};

/// SHA-256 (hex) of `rows` and `dry_run`, every field length-prefixed so no two different
/// requests share an encoding.
pub fn fingerprint(rows: &[RawRow], dry_run: bool) -> String {
    let mut h = Sha256::new();
    h.update(b"chitieu.submit.v1\0");
    h.update([u8::from(dry_run)]);
    h.update((rows.len() as u64).to_le_bytes());
    for row in rows {
        text(&mut h, row.org_unit.as_deref());
        text(&mut h, row.period.as_deref());
        text(&mut h, Some(&row.data_element));
        match &row.value {
            RawValue::Json(ValueInput::Number(n)) => tagged(&mut h, b'n', n),
            RawValue::Json(ValueInput::Bool(b)) => tagged(&mut h, b'b', if *b { "1" } else { "0" }),
            RawValue::Json(ValueInput::Text(t)) => tagged(&mut h, b't', t),
            RawValue::Csv(cell) => tagged(&mut h, b'c', cell),
            RawValue::Delete => tagged(&mut h, b'd', ""),
            RawValue::Unsupported(why) => tagged(&mut h, b'u', why),
        }
        text(&mut h, row.comment.as_deref());
        // Only a row with a state adds a field (tagged apart from the next row's first one),
        // so the fingerprints of rows without one are unchanged.
        if let Some(state) = &row.state {
            tagged(&mut h, b's', state);
        }
    }
    hex::encode(h.finalize())
}

fn text(h: &mut Sha256, s: Option<&str>) {
    match s {
        None => h.update([0]),
        Some(s) => tagged(h, 1, s),
    }
}

fn tagged(h: &mut Sha256, tag: u8, s: &str) {
    h.update([tag]);
    h.update((s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn row(unit: Option<&str>, value: RawValue, comment: Option<&str>) -> RawRow {
        RawRow {
            org_unit: unit.map(str::to_owned),
            period: Some("2023".into()),
            data_element: "DE".into(),
            value,
            comment: comment.map(str::to_owned),
            state: None,
        }
    }

    #[test]
    fn every_part_of_the_request_changes_the_fingerprint() {
        let n = |s: &str| RawValue::Json(ValueInput::Number(s.into()));
        let base = vec![row(Some("VT"), n("1"), None)];
        let variants = [
            vec![row(Some("VT"), n("1.0"), None)],
            vec![row(Some("VT"), RawValue::Csv("1".into()), None)],
            vec![row(
                Some("VT"),
                RawValue::Json(ValueInput::Text("1".into())),
                None,
            )],
            vec![row(Some("VT"), n("1"), Some(""))],
            vec![row(None, n("1"), None)],
            vec![row(Some(""), n("1"), None)],
            vec![row(Some("VT"), RawValue::Delete, None)],
            vec![RawRow {
                state: Some("pending".into()),
                ..row(Some("VT"), RawValue::Delete, None)
            }],
            vec![RawRow {
                state: Some("no_source".into()),
                ..row(Some("VT"), RawValue::Delete, None)
            }],
            base.iter().cloned().chain(base.iter().cloned()).collect(),
            vec![],
        ];
        let fp = fingerprint(&base, false);
        assert_eq!(fp, fingerprint(&base.clone(), false));
        assert_ne!(fp, fingerprint(&base, true));
        for v in &variants {
            assert_ne!(fp, fingerprint(v, false), "{v:?}");
        }
    }

    #[test]
    fn fields_cannot_run_into_each_other() {
        let a = RawRow {
            data_element: "AB".into(),
            comment: Some("C".into()),
            ..row(Some("VT"), RawValue::Delete, None)
        };
        let b = RawRow {
            data_element: "A".into(),
            comment: Some("BC".into()),
            ..row(Some("VT"), RawValue::Delete, None)
        };
        assert_ne!(fingerprint(&[a], false), fingerprint(&[b], false));
    }
}
