//! sea-orm entities, one file per table. They are storage shapes only: the API never
//! exposes them; queries turn them into domain types.

pub mod app_setting;
pub mod app_user;
pub mod data_element;
pub mod data_value;
pub mod idempotency_record;
pub mod indicator;
pub mod org_unit;
pub mod org_unit_closure;
pub mod target;
pub mod validation_rule;
