//! Row of `org_unit_closure`.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_unit_closure")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ancestor_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub descendant_id: i64,
    pub depth: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
