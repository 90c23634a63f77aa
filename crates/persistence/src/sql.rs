//! Small helpers for hand-written, portable SQL.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

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

/// Runs a query and returns all rows.
pub(crate) async fn query(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, PersistenceError> {
    let backend = db.get_database_backend();
    Ok(db.query_all_raw(stmt(backend, sql, values)).await?)
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

/// Reads column `idx` of a row.
pub(crate) fn get<T: sea_orm::TryGetable>(
    row: &QueryResult,
    idx: usize,
) -> Result<T, PersistenceError> {
    Ok(row.try_get_by_index::<T>(idx)?)
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

/// Runs `sql_prefix IN (ids...) sql_suffix` over `ids` in chunks.
pub(crate) async fn execute_in(
    db: &impl ConnectionTrait,
    sql_prefix: &str,
    ids: &[i64],
    sql_suffix: &str,
) -> Result<u64, PersistenceError> {
    let mut affected = 0;
    for chunk in ids.chunks(MAX_PARAMS) {
        let sql = format!(
            "{sql_prefix} IN ({}){sql_suffix}",
            placeholders(chunk.len())
        );
        affected += execute(db, &sql, chunk.iter().map(|&i| Value::from(i)).collect()).await?;
    }
    Ok(affected)
}
