//! Background upkeep started with the server: expired idempotency records are purged at
//! start and then every `purge_interval`, in bounded batches (each its own short statement,
//! under the SQLite writer lock), so the table holds about the retention period's worth of
//! records. Several instances may purge at once.

use chitieu_persistence::idempotency;

use crate::AppState;

/// Records deleted per statement.
const BATCH: u64 = 1_000;

/// Starts the periodic purge; it runs until the handle is aborted.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(state.config.purge_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match purge_expired(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "expired idempotency records purged"),
                // The database may be down for a while; the next round tries again.
                Err(e) => tracing::warn!(error = %e, "purging expired idempotency records failed"),
            }
        }
    })
}

/// Deletes every expired record, a batch at a time; returns how many.
async fn purge_expired(state: &AppState) -> Result<u64, chitieu_persistence::PersistenceError> {
    let mut total = 0;
    loop {
        let deleted = {
            let tx = state.db.write().await?;
            let deleted = idempotency::purge_expired(&tx, BATCH).await?;
            tx.commit().await?;
            deleted
        };
        total += deleted;
        if deleted < BATCH {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}
