//! Small helpers for hand-written, portable SQL: the one way this crate talks to the
//! database.
//!
//! SQL is written with `?` placeholders ([`stmt`] numbers them for PostgreSQL). Rows come
//! back typed, read by column name: a `#[derive(FromQueryResult)]` struct whose fields are
//! named like the `SELECT` list's columns (an expression gets an `AS` alias), read with
//! [`query_as`], or [`query_in`] / [`InList`] for a chunked `IN (…)` list of ids or codes.
//! A row whose columns are only known at run time is read with [`column`].

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, QueryResult, Statement, Value};

use crate::PersistenceError;

/// Most bind parameters we put in one statement: below SQLite's 32 766 and PostgreSQL's 65 535.
pub(crate) const MAX_PARAMS: usize = 30_000;

/// Builds a statement from SQL written with `?` placeholders, numbering them `$1, $2, ...`
/// for PostgreSQL. Only use with SQL that has no `?` inside string literals.
pub(crate) fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(ch);
                }
            }
            out
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `?, ?, ?` with `n` placeholders.
pub(crate) fn placeholders(n: usize) -> String {
    let mut s = String::with_capacity(n * 3);
    for i in 0..n {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('?');
    }
    s
}

/// Runs a query and returns all rows, untyped (see [`query_as`]).
pub(crate) async fn query(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, PersistenceError> {
    let backend = db.get_database_backend();
    Ok(db.query_all_raw(stmt(backend, sql, values)).await?)
}

/// Runs a query and reads every row as a `T`, by column name.
pub(crate) async fn query_as<T: FromQueryResult>(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<T>, PersistenceError> {
    let rows = query(db, sql, values).await?;
    rows.iter()
        .map(|r| T::from_query_result(r, "").map_err(PersistenceError::from))
        .collect()
}

/// Reads the column `name` of an untyped row (for `SELECT` lists built at run time).
pub(crate) fn column<T: sea_orm::TryGetable>(
    row: &QueryResult,
    name: &str,
) -> Result<T, PersistenceError> {
    Ok(row.try_get("", name)?)
}

/// Runs a statement and returns the number of affected rows.
pub(crate) async fn execute(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<u64, PersistenceError> {
    let backend = db.get_database_backend();
    Ok(db
        .execute_raw(stmt(backend, sql, values))
        .await?
        .rows_affected())
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Inserts `rows` into `table` with multi-row `INSERT` statements, as few as the parameter
/// limit allows. `suffix` is appended to each statement (e.g. an `ON CONFLICT` clause).
pub(crate) async fn insert_rows(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    suffix: &str,
) -> Result<u64, PersistenceError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let per_statement = (MAX_PARAMS / columns.len()).max(1);
    let row_placeholders = format!("({})", placeholders(columns.len()));
    let mut affected = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&row_placeholders);
        }
        sql.push(' ');
        sql.push_str(suffix);
        let values = chunk.into_iter().flatten().collect();
        affected += execute(db, &sql, values).await?;
    }
    Ok(affected)
}

/// A statement around a chunked `IN (…)` list: `{before} IN (?, ?, …){after}`, run once per
/// chunk of the list, each run binding the values of `before`, then the chunk, then the values
/// of `after`. A chunk holds as many items as the parameter limit leaves, so a list of any
/// length works; an empty list runs no statement at all.
///
/// ```text
/// InList::new("SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ? AND descendant_id", "")
///     .bind_before([root.into()])
///     .query::<Descendant>(db, &ids)
/// ```
#[derive(Clone, Debug)]
pub(crate) struct InList<'a> {
    before: &'a str,
    before_values: Vec<Value>,
    after: &'a str,
    after_values: Vec<Value>,
}

impl<'a> InList<'a> {
    /// `{before} IN (…){after}`, binding nothing else.
    pub(crate) fn new(before: &'a str, after: &'a str) -> Self {
        Self {
            before,
            before_values: Vec::new(),
            after,
            after_values: Vec::new(),
        }
    }

    /// The values of the `?` in `before`, in order.
    pub(crate) fn bind_before(mut self, values: impl IntoIterator<Item = Value>) -> Self {
        self.before_values.extend(values);
        self
    }

    /// The values of the `?` in `after`, in order.
    pub(crate) fn bind_after(mut self, values: impl IntoIterator<Item = Value>) -> Self {
        self.after_values.extend(values);
        self
    }

    /// Most list items in one statement.
    fn per_statement(&self) -> usize {
        MAX_PARAMS
            .saturating_sub(self.before_values.len() + self.after_values.len())
            .max(1)
    }

    /// The SQL and values of each statement, one per chunk of `items`.
    pub(crate) fn statements<'i, V: Into<Value> + Clone>(
        &'i self,
        items: &'i [V],
    ) -> impl Iterator<Item = (String, Vec<Value>)> + 'i {
        items.chunks(self.per_statement()).map(move |chunk| {
            let sql = format!(
                "{} IN ({}){}",
                self.before,
                placeholders(chunk.len()),
                self.after
            );
            let mut values = Vec::with_capacity(
                self.before_values.len() + chunk.len() + self.after_values.len(),
            );
            values.extend(self.before_values.iter().cloned());
            values.extend(chunk.iter().cloned().map(Into::into));
            values.extend(self.after_values.iter().cloned());
            (sql, values)
        })
    }

    /// Every row of every chunk, untyped, in chunk order.
    pub(crate) async fn rows<V: Into<Value> + Clone>(
        &self,
        db: &impl ConnectionTrait,
        items: &[V],
    ) -> Result<Vec<QueryResult>, PersistenceError> {
        let mut out = Vec::new();
        for (sql, values) in self.statements(items) {
            out.extend(query(db, &sql, values).await?);
        }
        Ok(out)
    }

    /// Every row of every chunk, read as a `T` by column name, in chunk order.
    pub(crate) async fn query<T: FromQueryResult, V: Into<Value> + Clone>(
        &self,
        db: &impl ConnectionTrait,
        items: &[V],
    ) -> Result<Vec<T>, PersistenceError> {
        let mut out = Vec::new();
        for (sql, values) in self.statements(items) {
            out.extend(query_as(db, &sql, values).await?);
        }
        Ok(out)
    }

    /// Runs the statement for every chunk; returns the affected rows in total.
    pub(crate) async fn execute<V: Into<Value> + Clone>(
        &self,
        db: &impl ConnectionTrait,
        items: &[V],
    ) -> Result<u64, PersistenceError> {
        let mut affected = 0;
        for (sql, values) in self.statements(items) {
            affected += execute(db, &sql, values).await?;
        }
        Ok(affected)
    }
}

/// `{sql_prefix} IN (items…){sql_suffix}` read as `T` rows, in chunks (see [`InList`]).
pub(crate) async fn query_in<T: FromQueryResult, V: Into<Value> + Clone>(
    db: &impl ConnectionTrait,
    sql_prefix: &str,
    items: &[V],
    sql_suffix: &str,
) -> Result<Vec<T>, PersistenceError> {
    InList::new(sql_prefix, sql_suffix).query(db, items).await
}

/// Runs `{sql_prefix} IN (items…){sql_suffix}` in chunks (see [`InList`]); returns the
/// affected rows in total.
pub(crate) async fn execute_in<V: Into<Value> + Clone>(
    db: &impl ConnectionTrait,
    sql_prefix: &str,
    items: &[V],
    sql_suffix: &str,
) -> Result<u64, PersistenceError> {
    InList::new(sql_prefix, sql_suffix).execute(db, items).await
}

#[cfg(test)]
mod tests {
    use sea_orm::FromQueryResult;

    use super::*;
    use crate::{OrgUnitId, connect};

    #[test]
    fn placeholders_are_numbered_for_postgresql_only() {
        let sql = "SELECT a FROM t WHERE b = ? AND c IN (?, ?)";
        let pg = stmt(DbBackend::Postgres, sql, vec![]);
        assert_eq!(pg.sql, "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
        assert_eq!(stmt(DbBackend::Sqlite, sql, vec![]).sql, sql);
        assert_eq!(placeholders(0), "");
        assert_eq!(placeholders(3), "?, ?, ?");
    }

    #[test]
    fn a_long_list_is_cut_into_statements_within_the_parameter_limit() {
        let ids: Vec<OrgUnitId> = (0..2 * MAX_PARAMS as i64 + 5).map(OrgUnitId::new).collect();
        let list = InList::new("SELECT x FROM t WHERE a = ? AND b", " AND c = ? ORDER BY x")
            .bind_before([Value::from("before")])
            .bind_after([Value::from(7)]);
        let statements: Vec<(String, Vec<Value>)> = list.statements(&ids).collect();
        let sizes: Vec<usize> = statements.iter().map(|(_, v)| v.len() - 2).collect();
        assert_eq!(sizes, [MAX_PARAMS - 2, MAX_PARAMS - 2, 9]);
        let mut seen = Vec::new();
        for (sql, values) in &statements {
            assert!(values.len() <= MAX_PARAMS);
            assert_eq!(sql.matches('?').count(), values.len());
            assert!(sql.starts_with("SELECT x FROM t WHERE a = ? AND b IN (?, "));
            assert!(sql.ends_with("?) AND c = ? ORDER BY x"));
            assert_eq!(values.first(), Some(&Value::from("before")));
            assert_eq!(values.last(), Some(&Value::from(7)));
            seen.extend_from_slice(&values[1..values.len() - 1]);
        }
        let all: Vec<Value> = ids.iter().map(|&i| i.into()).collect();
        assert_eq!(seen, all);
    }

    #[test]
    fn an_empty_list_runs_no_statement() {
        let list = InList::new("DELETE FROM t WHERE id", "");
        assert_eq!(list.statements::<OrgUnitId>(&[]).count(), 0);
    }

    #[derive(Debug, PartialEq, Eq, FromQueryResult)]
    struct Setting {
        key: String,
        value: String,
    }

    #[tokio::test]
    async fn query_in_reads_every_row_of_a_list_longer_than_one_statement_allows() {
        let db = connect("sqlite::memory:").await.expect("in-memory SQLite");
        db.migrate().await.expect("migrations");
        let tx = db.write().await.expect("transaction");
        // More keys than one SQLite statement may bind (32 766): only chunks get through.
        let n = MAX_PARAMS + 3_000;
        let rows = (0..n)
            .map(|i| vec![format!("k{i:05}").into(), format!("v{i}").into()])
            .collect();
        insert_rows(&tx, "app_setting", &["key", "value"], rows, "")
            .await
            .expect("insert");
        let mut keys: Vec<String> = (0..n).map(|i| format!("k{i:05}")).collect();
        keys.push("absent".to_owned());
        let mut found: Vec<Setting> = query_in(
            &tx,
            "SELECT key, value FROM app_setting WHERE key",
            &keys,
            "",
        )
        .await
        .expect("query_in");
        assert_eq!(found.len(), n);
        found.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(
            found.first(),
            Some(&Setting {
                key: "k00000".into(),
                value: "v0".into()
            })
        );
        assert!(
            found
                .iter()
                .enumerate()
                .all(|(i, s)| s.value == format!("v{i}"))
        );
        let deleted = execute_in(&tx, "DELETE FROM app_setting WHERE key", &keys, "")
            .await
            .expect("execute_in");
        assert_eq!(deleted, n as u64);
    }
}
