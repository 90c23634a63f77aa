//! One id type per table, so that an org unit id can never be passed where a data element id
//! is wanted. Each wraps the row's `BIGINT` primary key.
//!
//! Ids are internal: clients address units, elements and indicators by code. The few ids a
//! client does see (users, API tokens, audit events, figures as cursors) travel as plain
//! integers: each type (de)serialises transparently as its number and prints as it, so the
//! wire format is the one an `i64` had. [`new`](OrgUnitId::new) wraps a number that came
//! from the wire or from a test; everything else gets its ids from the database.
//!
//! Each type binds as a sea-orm `Value` and reads from a row (`DeriveValueType`), so it can be
//! a field of a `FromQueryResult` row and an item of the lists `sql::query_in` chunks.

use std::{fmt, num::ParseIntError, str::FromStr};

use sea_orm::DeriveValueType;
use serde::{Deserialize, Serialize};

macro_rules! id_types {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, DeriveValueType, Serialize,
            Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a number from the wire (a path segment, a JSON integer, a cursor).
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The number, for the wire.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

id_types! {
    /// `org_unit.id`.
    OrgUnitId;
    /// `data_element.id`.
    DataElementId;
    /// `indicator.id`.
    IndicatorId;
    /// `target.id`.
    TargetId;
    /// `validation_rule.id`.
    RuleId;
    /// `data_value.id`.
    DataValueId;
    /// `data_value_deletion.id`: a tombstone of a deleted figure.
    DeletionId;
    /// `app_user.id`.
    UserId;
    /// `api_token.id`.
    ApiTokenId;
    /// `refresh_token.id`.
    RefreshTokenId;
    /// `audit_event.id`.
    AuditEventId;
    /// `data_set.id`.
    DataSetId;
    /// `indicator_group.id`.
    IndicatorGroupId;
    /// `project.id`.
    ProjectId;
    /// `milestone.id`.
    MilestoneId;
    /// `note.id`.
    NoteId;
}

#[cfg(test)]
mod tests {
    use sea_orm::{Value, sea_query::ValueType};

    use super::*;

    #[test]
    fn an_id_binds_as_its_bigint_and_reads_back() {
        let id = OrgUnitId::new(42);
        let value = Value::from(id);
        assert_eq!(value, Value::BigInt(Some(42)));
        assert_eq!(<OrgUnitId as ValueType>::try_from(value).ok(), Some(id));
        assert_eq!(Value::from(None::<UserId>), Value::BigInt(None));
        assert_eq!(Value::from(Some(UserId::new(-7))), Value::BigInt(Some(-7)));
    }

    #[test]
    fn an_id_is_a_plain_integer_on_the_wire() {
        let id = ApiTokenId::new(9_007_199_254_740_993);
        assert_eq!(id.to_string(), "9007199254740993");
        assert_eq!(
            serde_json::to_string(&id).ok().as_deref(),
            Some("9007199254740993")
        );
        assert_eq!(
            serde_json::from_str::<ApiTokenId>("12").ok(),
            Some(ApiTokenId::new(12))
        );
        assert!(serde_json::from_str::<ApiTokenId>("\"12\"").is_err());
        assert!(serde_json::from_str::<ApiTokenId>("1.5").is_err());
        assert_eq!("31".parse::<UserId>(), Ok(UserId::new(31)));
        assert!("3x".parse::<UserId>().is_err());
        assert!("".parse::<UserId>().is_err());
    }

    #[test]
    fn ids_order_as_their_numbers() {
        let mut ids = [
            DataValueId::new(10),
            DataValueId::new(-1),
            DataValueId::new(2),
        ];
        ids.sort();
        assert_eq!(ids.iter().map(|i| i.get()).collect::<Vec<_>>(), [-1, 2, 10]);
    }
}
