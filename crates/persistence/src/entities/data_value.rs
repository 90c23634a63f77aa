//! Row of `data_value`.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "data_value")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_unit_id: i64,
    pub data_element_id: i64,
    pub start_month: i32,
    pub end_month: i32,
    pub value_num: Option<i64>,
    pub next_end: i32,
    pub value_text: Option<String>,
    pub comment: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
