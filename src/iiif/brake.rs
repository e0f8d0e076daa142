//! The brake on IIIF answers made on the fly (sizes and regions `info.json` does not offer):
//! each costs a decode and an encode and is never kept, so anyone could keep the processors
//! busy with endless distinct sizes. At most `PER_CLIENT` a minute for one address and `TOTAL`
//! a minute for everyone; beyond, 429 with the seconds to wait.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::IiifError;

/// Answers made on the fly per address, per window.
pub const PER_CLIENT: u32 = 30;
/// Answers made on the fly for everyone, per window.
pub const TOTAL: u32 = 120;
const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most (a window's worth; older ones are dropped first).
const MAX_CLIENTS: usize = 10_000;

#[derive(Default)]
pub struct Brake(Mutex<State>);

#[derive(Default)]
struct State {
    /// Start of the current window, and what it has spent.
    window: Option<Instant>,
    total: u32,
    clients: HashMap<Option<IpAddr>, u32>,
}

impl Brake {
    /// Takes one answer for `client` at `now`, or says how long to wait.
    pub fn take(&self, client: Option<IpAddr>, now: Instant) -> Result<(), IiifError> {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let start = *s.window.get_or_insert(now);
        if now.saturating_duration_since(start) >= WINDOW || s.clients.len() >= MAX_CLIENTS {
            *s = State {
                window: Some(now),
                ..State::default()
            };
        }
        let start = s.window.unwrap_or(now);
        let wait = (start + WINDOW)
            .saturating_duration_since(now)
            .as_secs()
            .max(1);
        let spent = s.clients.get(&client).copied().unwrap_or(0);
        if spent >= PER_CLIENT || s.total >= TOTAL {
            return Err(IiifError::Busy(wait));
        }
        s.clients.insert(client, spent + 1);
        s.total += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_and_everyone_are_bounded_per_minute() {
        let b = Brake::default();
        let now = Instant::now();
        let one: Option<IpAddr> = "192.0.2.1".parse().ok();
        for _ in 0..PER_CLIENT {
            assert!(b.take(one, now).is_ok());
        }
        assert!(matches!(b.take(one, now), Err(IiifError::Busy(60))));
        let mut others = 0;
        for n in 0..255u8 {
            if b.take(Some(IpAddr::from([198, 51, 100, n])), now).is_ok() {
                others += 1;
            }
        }
        assert_eq!(others, TOTAL - PER_CLIENT, "everyone together");
        assert!(b.take(one, now + WINDOW).is_ok(), "a new minute");
    }
}
