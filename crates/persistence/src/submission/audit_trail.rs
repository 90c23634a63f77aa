//! What a set records in the audit trail: one `data_values.write` event per org unit, listing
//! that unit's changes compactly as `{"changes": [[data_element, period, old, new], ...]}`;
//! a figure state is shown as `{"state": "no_source"}`.
//! Pure.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chitieu_domain::{Period, Value as DomainValue};

use super::checks::Columns as Figure;
use crate::{DataElementId, OrgUnitId, audit, catalogue::StoredDataElement};

/// One figure's change: before and after (`None`: absent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub unit_id: OrgUnitId,
    pub element_id: DataElementId,
    pub period: Period,
    pub old: Option<Figure>,
    pub new: Option<Figure>,
}

/// The audit events of `changes`, one per org unit in id order.
pub(crate) fn audit_events(
    changes: &[Change],
    elements: &HashMap<String, StoredDataElement>,
) -> Vec<audit::NewEvent> {
    let by_id: HashMap<DataElementId, &StoredDataElement> =
        elements.values().map(|e| (e.id, e)).collect();
    let shown = |element: DataElementId, v: &Option<Figure>| -> serde_json::Value {
        let (Some(figure), Some(e)) = (v, by_id.get(&element)) else {
            return serde_json::Value::Null;
        };
        // A state is shown as an object, so it never reads as a text value.
        if let Some(state) = figure.state {
            return serde_json::json!({ "state": state.as_str() });
        }
        match e
            .element
            .value_type
            .from_stored(figure.num, figure.text.as_deref())
        {
            Some(DomainValue::Integer(i)) => i.into(),
            Some(DomainValue::Number(d)) => d.normalize().to_string().into(),
            Some(DomainValue::Boolean(b)) => b.into(),
            Some(DomainValue::Text(t)) => t.into(),
            None => serde_json::Value::Null,
        }
    };
    #[derive(serde::Serialize)]
    struct Row<'a>(&'a str, &'a str, serde_json::Value, serde_json::Value);
    #[derive(serde::Serialize)]
    struct Detail<'a> {
        changes: Vec<Row<'a>>,
    }
    // A set holds few distinct periods: print each once.
    let periods: HashMap<Period, String> = changes
        .iter()
        .map(|c| c.period)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|p| (p, p.to_string()))
        .collect();
    let mut per_unit: BTreeMap<OrgUnitId, Vec<Row<'_>>> = BTreeMap::new();
    for c in changes {
        let code = by_id
            .get(&c.element_id)
            .map_or("?", |e| e.element.code.as_str());
        let period = periods.get(&c.period).map_or("?", String::as_str);
        per_unit.entry(c.unit_id).or_default().push(Row(
            code,
            period,
            shown(c.element_id, &c.old),
            shown(c.element_id, &c.new),
        ));
    }
    per_unit
        .into_iter()
        .map(|(unit, changes)| audit::NewEvent {
            action: "data_values.write",
            org_unit_id: Some(unit),
            detail: serde_json::to_string(&Detail { changes }).unwrap_or_default(),
        })
        .collect()
}
