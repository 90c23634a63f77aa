//! The throttling policy of password checks, as pure functions over stored key states (the
//! states live in the `auth_throttle` table; `attempts.rs` reads and writes them).
//!
//! Every password check first *reserves* an attempt: each of its keys must be free of a wait,
//! and the attempt is counted as a failure at once, before any hashing, so concurrent guesses
//! cannot all pass a check that is recorded afterwards. Only a success takes the count back.
//!
//! A login counts against three keys:
//! - the account from this address (an IPv6 address counts as its /64): a few free failures,
//!   then waits that double with each further failure — the key that slows a guesser;
//! - the address, across every account: a higher bound, against one address trying many
//!   accounts;
//! - the account, across every address: a much higher bound, against guessing spread over
//!   many addresses. It never applies to an address the account logged in from recently, so
//!   nobody can lock an account out from everywhere: its owner keeps the addresses they use.
//!
//! Checking one's own current password (to change it) counts against the user's own key.

use std::{net::IpAddr, time::Duration};

use chitieu_persistence::{Micros, auth_throttle::ThrottleState};
use sha2::{Digest, Sha256};

/// How one kind of key slows down: `free` failures, then a wait of `first_wait` that doubles
/// with each further failure up to `max_wait`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Failures allowed before the first wait.
    pub free: u32,
    /// The first wait.
    pub first_wait: Duration,
    /// The longest wait.
    pub max_wait: Duration,
}

impl Backoff {
    const fn new(free: u32, first_wait_secs: u64, max_wait_secs: u64) -> Self {
        Self {
            free,
            first_wait: Duration::from_secs(first_wait_secs),
            max_wait: Duration::from_secs(max_wait_secs),
        }
    }

    /// The wait after `failures` failures (none below `free`).
    pub fn wait(&self, failures: u32) -> Option<Duration> {
        let beyond = failures.checked_sub(self.free.max(1))?;
        let factor = 1u32.checked_shl(beyond.min(31)).unwrap_or(u32::MAX);
        Some(
            self.first_wait
                .checked_mul(factor)
                .map_or(self.max_wait, |w| w.min(self.max_wait)),
        )
    }
}

/// Limits of password checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleLimits {
    /// One account from one address (an IPv6 /64).
    pub per_account_and_address: Backoff,
    /// One address across every account.
    pub per_address: Backoff,
    /// One account across every address, except addresses it logged in from recently.
    pub per_account: Backoff,
    /// A user's own current-password checks.
    pub own_password: Backoff,
    /// A key is forgotten this long after its last failure (or after its wait ends).
    pub forget_after: Duration,
    /// How long a successful login keeps its address exempt from the per-account bound.
    pub trust_for: Duration,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            per_account_and_address: Backoff::new(5, 60, 15 * 60),
            per_address: Backoff::new(50, 60, 15 * 60),
            per_account: Backoff::new(500, 60, 15 * 60),
            own_password: Backoff::new(5, 60, 15 * 60),
            forget_after: Duration::from_secs(60 * 60),
            trust_for: Duration::from_secs(30 * 24 * 60 * 60),
        }
    }
}

/// What a key counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An account from one address.
    AccountAndAddress,
    /// An address across accounts.
    Address,
    /// An account across addresses.
    Account,
    /// A user's own current-password checks.
    OwnPassword,
}

impl Kind {
    fn backoff(self, limits: &ThrottleLimits) -> Backoff {
        match self {
            Kind::AccountAndAddress => limits.per_account_and_address,
            Kind::Address => limits.per_address,
            Kind::Account => limits.per_account,
            Kind::OwnPassword => limits.own_password,
        }
    }
}

/// Whose password is being checked.
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
    /// A login with this name (as typed) from this address.
    Login {
        /// The name as typed (already bounded in length).
        account: &'a str,
        /// The client address.
        address: IpAddr,
    },
    /// A user checking their own current password.
    OwnPassword {
        /// The user's login name.
        account: &'a str,
    },
}

/// A hashed key and the hashed account it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// What it counts.
    pub kind: Kind,
    /// SHA-256 hex of the key.
    pub hash: String,
    /// SHA-256 hex of the lowercased account name, when the key concerns an account.
    pub account_hash: Option<String>,
}

fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

/// The hash every key of an account is filed under (the lowercased name's SHA-256).
pub fn account_hash(account: &str) -> String {
    sha256_hex(&["account", &account.to_lowercase()])
}

/// The part of an address that identifies a client: an IPv4 address, or an IPv6 /64 (one
/// subscriber's network; an IPv4-mapped address counts as IPv4).
pub fn address_prefix(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The keys an attempt counts against.
pub fn keys(subject: Subject<'_>) -> Vec<Key> {
    match subject {
        Subject::Login { account, address } => {
            let name = account.to_lowercase();
            let prefix = address_prefix(address);
            let account = Some(account_hash(&name));
            vec![
                Key {
                    kind: Kind::AccountAndAddress,
                    hash: sha256_hex(&["login", &name, &prefix]),
                    account_hash: account.clone(),
                },
                Key {
                    kind: Kind::Address,
                    hash: sha256_hex(&["address", &prefix]),
                    account_hash: None,
                },
                Key {
                    kind: Kind::Account,
                    hash: sha256_hex(&["account", &name]),
                    account_hash: account,
                },
            ]
        }
        Subject::OwnPassword { account } => {
            let name = account.to_lowercase();
            vec![Key {
                kind: Kind::OwnPassword,
                hash: sha256_hex(&["own-password", &name]),
                account_hash: Some(account_hash(&name)),
            }]
        }
    }
}

fn micros(d: Duration) -> Micros {
    Micros::try_from(d.as_micros()).unwrap_or(Micros::MAX)
}

/// The state as it stands at `now`: an expired row counts as nothing.
fn current(s: ThrottleState, now: Micros) -> ThrottleState {
    if s.expires_at <= now {
        ThrottleState::default()
    } else {
        s
    }
}

/// The outcome of a reservation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The attempt may go ahead; each key's new state, `None` for a key it does not count
    /// against (the per-account key, from an address the account trusts).
    Allowed(Vec<Option<ThrottleState>>),
    /// Refused: retry after this many seconds (at least 1).
    Refused {
        /// Seconds.
        retry_after: u64,
    },
}

/// Reserves an attempt against `keys` (with their stored states), counting it as a failure.
pub fn reserve(limits: &ThrottleLimits, keys: &[(Kind, ThrottleState)], now: Micros) -> Decision {
    let trusted = keys
        .iter()
        .any(|(k, s)| *k == Kind::AccountAndAddress && current(*s, now).trusted_until > now);
    let mut out = Vec::with_capacity(keys.len());
    let mut wait: Micros = 0;
    for &(kind, stored) in keys {
        if kind == Kind::Account && trusted {
            out.push(None);
            continue;
        }
        let s = current(stored, now);
        if s.blocked_until > now {
            wait = wait.max(s.blocked_until - now);
        }
        out.push(Some(s));
    }
    if wait > 0 {
        let secs = u64::try_from(wait).unwrap_or(u64::MAX).div_ceil(1_000_000);
        return Decision::Refused {
            retry_after: secs.max(1),
        };
    }
    let forget = micros(limits.forget_after);
    for (slot, &(kind, _)) in out.iter_mut().zip(keys) {
        let Some(s) = slot else { continue };
        s.failures = s.failures.saturating_add(1);
        let failures = u32::try_from(s.failures).unwrap_or(0);
        if let Some(w) = kind.backoff(limits).wait(failures) {
            s.blocked_until = now.saturating_add(micros(w));
        }
        s.expires_at = s
            .expires_at
            .max(s.blocked_until.max(now).saturating_add(forget))
            .max(s.trusted_until);
    }
    Decision::Allowed(out)
}

/// A key's state after the reserved attempt succeeded (`reserved` is its state now).
pub fn succeeded(
    limits: &ThrottleLimits,
    kind: Kind,
    reserved: ThrottleState,
    now: Micros,
) -> ThrottleState {
    let s = current(reserved, now);
    match kind {
        // This account from this address: all clear, and the address is trusted.
        Kind::AccountAndAddress => {
            let trusted_until = now.saturating_add(micros(limits.trust_for));
            ThrottleState {
                failures: 0,
                blocked_until: 0,
                trusted_until,
                expires_at: trusted_until,
            }
        }
        Kind::OwnPassword => ThrottleState {
            failures: 0,
            blocked_until: 0,
            trusted_until: 0,
            expires_at: now,
        },
        // Shared keys: take back the one failure the reservation counted. A wait stays only
        // while the failures of others still call for one.
        Kind::Address | Kind::Account => {
            let failures = s.failures.saturating_sub(1).max(0);
            let free = i32::try_from(kind.backoff(limits).free).unwrap_or(i32::MAX);
            ThrottleState {
                failures,
                blocked_until: if failures < free { 0 } else { s.blocked_until },
                ..s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SEC: Micros = 1_000_000;

    fn limits() -> ThrottleLimits {
        ThrottleLimits::default()
    }

    fn login_kinds() -> [Kind; 3] {
        [Kind::AccountAndAddress, Kind::Address, Kind::Account]
    }

    /// Runs `n` reservations (all failing) on fresh keys; returns the states and the number
    /// allowed.
    fn fail(
        states: &mut [ThrottleState],
        kinds: &[Kind],
        n: usize,
        now: Micros,
    ) -> (usize, Option<u64>) {
        let mut allowed = 0;
        let mut refused = None;
        for _ in 0..n {
            let keys: Vec<(Kind, ThrottleState)> =
                kinds.iter().copied().zip(states.iter().copied()).collect();
            match reserve(&limits(), &keys, now) {
                Decision::Allowed(new) => {
                    allowed += 1;
                    for (s, n) in states.iter_mut().zip(new) {
                        if let Some(n) = n {
                            *s = n;
                        }
                    }
                }
                Decision::Refused { retry_after } => refused = Some(retry_after),
            }
        }
        (allowed, refused)
    }

    #[test]
    fn forty_attempts_at_once_reserve_only_the_free_five() {
        let mut states = [ThrottleState::default(); 3];
        let (allowed, refused) = fail(&mut states, &login_kinds(), 40, 1000 * SEC);
        assert_eq!(allowed, 5);
        assert_eq!(refused, Some(60));
    }

    #[test]
    fn waits_double_up_to_the_cap_and_are_forgotten_an_hour_later() {
        let b = limits().per_account_and_address;
        assert_eq!(b.wait(4), None);
        assert_eq!(b.wait(5), Some(Duration::from_secs(60)));
        assert_eq!(b.wait(6), Some(Duration::from_secs(120)));
        assert_eq!(b.wait(9), Some(Duration::from_secs(900)));
        assert_eq!(b.wait(u32::MAX), Some(Duration::from_secs(900)));

        let kinds = [Kind::OwnPassword];
        let mut states = [ThrottleState::default()];
        let mut now = 1000 * SEC;
        assert_eq!(fail(&mut states, &kinds, 10, now).0, 5);
        now += 60 * SEC;
        assert_eq!(fail(&mut states, &kinds, 10, now), (1, Some(120)));
        now += 120 * SEC;
        assert_eq!(fail(&mut states, &kinds, 10, now), (1, Some(240)));
        // An hour after the wait ends, the key starts afresh.
        now += 240 * SEC + 3600 * SEC;
        assert_eq!(fail(&mut states, &kinds, 10, now).0, 5);
    }

    #[test]
    fn a_success_clears_the_account_from_that_address_and_trusts_it() {
        let mut states = [ThrottleState::default(); 3];
        let now = 1000 * SEC;
        fail(&mut states, &login_kinds(), 3, now);
        let keys: Vec<_> = login_kinds().into_iter().zip(states).collect();
        let Decision::Allowed(reserved) = reserve(&limits(), &keys, now) else {
            panic!("allowed")
        };
        let after: Vec<ThrottleState> = login_kinds()
            .into_iter()
            .zip(reserved)
            .map(|(k, s)| succeeded(&limits(), k, s.unwrap_or_default(), now))
            .collect();
        assert_eq!(after[0].failures, 0);
        assert!(after[0].trusted_until > now + 29 * 24 * 3600 * SEC);
        assert_eq!(
            after[1].failures, 3,
            "the address keeps the earlier failures"
        );
        assert_eq!(after[2].failures, 3);
    }

    #[test]
    fn guessing_spread_over_addresses_cannot_lock_the_owner_out_of_a_trusted_address() {
        let l = limits();
        let now = 1000 * SEC;
        // The account is in a wait after many failures from many addresses.
        let account = ThrottleState {
            failures: 600,
            blocked_until: now + 600 * SEC,
            trusted_until: 0,
            expires_at: now + 7200 * SEC,
        };
        let stranger = [
            (Kind::AccountAndAddress, ThrottleState::default()),
            (Kind::Address, ThrottleState::default()),
            (Kind::Account, account),
        ];
        assert_eq!(
            reserve(&l, &stranger, now),
            Decision::Refused { retry_after: 600 }
        );
        let trusted_pair = ThrottleState {
            trusted_until: now + SEC,
            expires_at: now + SEC,
            ..Default::default()
        };
        let owner = [
            (Kind::AccountAndAddress, trusted_pair),
            (Kind::Address, ThrottleState::default()),
            (Kind::Account, account),
        ];
        let Decision::Allowed(states) = reserve(&l, &owner, now) else {
            panic!("the owner's address is exempt")
        };
        assert_eq!(states[2], None, "and does not count against the account");
    }

    #[test]
    fn one_address_trying_many_accounts_is_slowed_down() {
        let l = limits();
        let now = 1000 * SEC;
        let mut address = ThrottleState::default();
        for _ in 0..50 {
            let keys = [
                (Kind::AccountAndAddress, ThrottleState::default()),
                (Kind::Address, address),
                (Kind::Account, ThrottleState::default()),
            ];
            let Decision::Allowed(s) = reserve(&l, &keys, now) else {
                panic!("allowed")
            };
            address = s[1].unwrap_or_default();
        }
        let keys = [
            (Kind::AccountAndAddress, ThrottleState::default()),
            (Kind::Address, address),
            (Kind::Account, ThrottleState::default()),
        ];
        assert_eq!(
            reserve(&l, &keys, now),
            Decision::Refused { retry_after: 60 }
        );
    }

    #[test]
    fn keys_are_hashes_of_bounded_size_and_case_blind() {
        let long = "x".repeat(10_000);
        let a = keys(Subject::Login {
            account: &long,
            address: "1.2.3.4".parse().unwrap(),
        });
        assert!(
            a.iter()
                .all(|k| k.hash.len() == 64 && !k.hash.contains("xxx"))
        );
        let upper = keys(Subject::OwnPassword { account: "Admin" });
        let lower = keys(Subject::OwnPassword { account: "admin" });
        assert_eq!(upper, lower);
    }

    #[test]
    fn an_ipv6_client_counts_as_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_prefix(a), address_prefix(b));
        assert_ne!(address_prefix(a), address_prefix(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(address_prefix(mapped), "10.0.0.1");
    }
}
