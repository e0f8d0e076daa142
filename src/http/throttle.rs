//! Sign-in attempts slowed down: after a few failures, each further attempt for the same
//! account, or from the same address, must wait a delay that doubles with every failure
//! (up to 5 minutes per account, 15 per address). While waiting, an attempt is answered 429
//! without its password being checked, so guessing runs at well under one try per second and
//! costs the server nothing. A success clears its account's tally only: the address tally
//! counts failures across names, so an account holder cannot spray passwords over every other
//! account by signing in to their own between rounds. A tally left alone for an hour is
//! forgotten (an office behind one address is not slowed for yesterday's typos). The account
//! tally keeps one address from locking a person out for long; the address tally stops one
//! address trying many names.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before delays start (typos happen).
const FREE: u32 = 5;
const ACCOUNT_CAP: Duration = Duration::from_secs(5 * 60);
const ADDRESS_CAP: Duration = Duration::from_secs(15 * 60);
/// Tallies kept at most (an attacker inventing names cannot grow this without bound).
const MAX_TALLIES: usize = 100_000;
/// A tally with no failure for this long starts afresh.
const FORGET: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Tally {
    failures: u32,
    /// No attempt before this.
    next: Instant,
    /// The last failure.
    last: Instant,
}

#[derive(Default)]
pub struct Throttle(Mutex<HashMap<Key, Tally>>);

fn keys(account: &str, address: Option<IpAddr>) -> Vec<Key> {
    let mut keys = vec![Key::Account(account.trim().to_lowercase())];
    keys.extend(address.map(Key::Address));
    keys
}

impl Throttle {
    /// How long an attempt on `account` from `address` must still wait; `None` to go ahead.
    pub fn wait(&self, account: &str, address: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        keys(account, address)
            .iter()
            .filter_map(|k| map.get(k))
            .map(|t| t.next.saturating_duration_since(now))
            .filter(|d| !d.is_zero())
            .max()
    }

    /// Records a failed attempt.
    pub fn failed(&self, account: &str, address: Option<IpAddr>, now: Instant) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_TALLIES {
            map.retain(|_, t| t.next > now);
        }
        for key in keys(account, address) {
            let cap = match key {
                Key::Account(_) => ACCOUNT_CAP,
                Key::Address(_) => ADDRESS_CAP,
            };
            let tally = map.entry(key).or_insert(Tally {
                failures: 0,
                next: now,
                last: now,
            });
            if now.saturating_duration_since(tally.last) > FORGET {
                tally.failures = 0;
            }
            tally.last = now;
            tally.failures = tally.failures.saturating_add(1);
            let over = tally.failures.saturating_sub(FREE);
            if over > 0 {
                let delay = Duration::from_secs(1 << (over - 1).min(20)).min(cap);
                tally.next = now + delay;
            }
        }
    }

    /// Records a success: the account starts afresh; its address's tally stays, since it
    /// counts failures on every name tried from there.
    pub fn succeeded(&self, account: &str) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&Key::Account(account.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_failures_and_a_success_clears_them() {
        let t = Throttle::default();
        let ip: Option<IpAddr> = "192.0.2.7".parse().ok();
        let start = Instant::now();
        for _ in 0..FREE {
            assert_eq!(t.wait("thu", ip, start), None);
            t.failed("thu", ip, start);
        }
        assert_eq!(
            t.wait("thu", ip, start),
            None,
            "the free failures cost nothing"
        );
        t.failed("thu", ip, start);
        assert_eq!(t.wait("thu", ip, start), Some(Duration::from_secs(1)));
        assert_eq!(t.wait("THU ", None, start), Some(Duration::from_secs(1)));
        assert_eq!(t.wait("other", ip, start), Some(Duration::from_secs(1)));
        let later = start + Duration::from_secs(1);
        assert_eq!(t.wait("thu", ip, later), None);
        t.failed("thu", ip, later);
        assert_eq!(t.wait("thu", ip, later), Some(Duration::from_secs(2)));
        for n in 0..40 {
            t.failed("thu", ip, later + Duration::from_secs(n));
        }
        let last = later + Duration::from_secs(39);
        assert_eq!(t.wait("thu", None, last), Some(ACCOUNT_CAP));
        assert_eq!(t.wait("x", ip, last), Some(ADDRESS_CAP));
        t.succeeded("thu");
        assert_eq!(t.wait("thu", None, last), None, "the account afresh");
        assert_eq!(
            t.wait("thu", ip, last),
            Some(ADDRESS_CAP),
            "not its address"
        );
        // An hour without failures: the address's tally is forgotten.
        let next_day = last + ADDRESS_CAP + FORGET + Duration::from_secs(1);
        t.failed("x", ip, next_day);
        assert_eq!(t.wait("x", ip, next_day), None);
    }

    #[test]
    fn a_success_between_rounds_does_not_reset_a_spray() {
        let t = Throttle::default();
        let ip: Option<IpAddr> = "192.0.2.8".parse().ok();
        let now = Instant::now();
        let mut refused = false;
        for round in 0..4 {
            for n in 0..FREE {
                let name = format!("victim{round}-{n}");
                if t.wait(&name, ip, now).is_some() {
                    refused = true;
                    break;
                }
                t.failed(&name, ip, now);
            }
            t.succeeded("own");
        }
        assert!(refused, "the address is slowed down across names");
    }
}
