/// Microseconds since the Unix epoch, the unit of every stored timestamp.
pub type Micros = i64;

/// The current time in microseconds since the Unix epoch.
pub fn now_micros() -> Micros {
    chrono::Utc::now().timestamp_micros()
}
