//! What one room, and one client, may use: the `fanout serve` flags a
//! teacher would change, and the token bucket that enforces the per-client
//! rate. The bounds a room enforces itself are `fanout_shared::room`'s
//! (`RoomRules` and its constants).
//!
//! A limit that stops a request answers with an `error` whose `field`
//! names the limit as `room_joined` lists it (`limits.rate`,
//! `limits.message_bytes`, …) and whose message names the flag that
//! changes it. Nothing is dropped silently.

use std::time::{Duration, Instant};

use fanout_shared::{room::RoomRules, time::Tick};

/// Flags of `fanout serve` for live rooms.
#[derive(Debug, Clone, clap::Args)]
pub struct RoomLimits {
    /// Live rooms this server hosts at once.
    #[arg(long = "max-rooms", value_name = "N", default_value_t = 50)]
    pub rooms: u32,

    /// Members (browser tabs, scripts) per room.
    #[arg(long = "room-members", value_name = "N", default_value_t = 250)]
    pub members: u32,

    /// Messages each client may send per second (a `send` of 10 payloads
    /// counts 10; any other room frame counts 1). Bursts up to one
    /// second's worth pass.
    #[arg(long = "room-rate", value_name = "PER_SECOND", default_value_t = 2000)]
    pub rate: u32,

    /// Largest message payload, in bytes (at most 60000: a frame is at
    /// most 64 KiB).
    #[arg(long = "room-message-bytes", value_name = "BYTES", default_value_t = 16 * 1024,
          value_parser = clap::value_parser!(u32).range(1..=60_000))]
    pub message_bytes: u32,

    /// Bytes a room's queues (every pipe's messages) may hold; sends that
    /// would go past it are refused. `64MiB`, `512KiB` or plain bytes.
    #[arg(long = "room-queued-bytes", value_name = "BYTES", default_value = "64MiB",
          value_parser = parse_bytes)]
    pub queued_bytes: u64,

    /// A room closes when none of its members has sent anything for this
    /// long (`ping` counts), and a room nobody is in closes after this or
    /// 60 s, whichever is shorter. `10min`, `30s` …
    #[arg(long = "room-idle", value_name = "DURATION", default_value = "10min",
          value_parser = parse_duration)]
    pub idle: Duration,
}

impl Default for RoomLimits {
    fn default() -> Self {
        RoomLimits {
            rooms: 50,
            members: 250,
            rate: 2000,
            message_bytes: 16 * 1024,
            queued_bytes: 64 << 20,
            idle: Duration::from_secs(600),
        }
    }
}

impl RoomLimits {
    /// The limits a room enforces itself (and announces in `room_joined`).
    pub fn rules(&self) -> RoomRules {
        RoomRules {
            members: self.members,
            queued_bytes: self.queued_bytes,
            idle: Tick::from_micros(u64::try_from(self.idle.as_micros()).unwrap_or(u64::MAX)),
            rate: self.rate,
            message_bytes: self.message_bytes,
            rooms: self.rooms,
            ..RoomRules::default()
        }
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let tick = Tick::parse(text).map_err(|e| e.to_string())?;
    if tick == Tick::ZERO {
        return Err("must be longer than 0".into());
    }
    Ok(Duration::from_micros(tick.as_micros()))
}

/// `64MiB`, `512KiB`, `1GiB`, `1000` (bytes).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{t}` is not a size; write e.g. 64MiB, 512KiB or 100000"))?;
    let scale: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "KB" => 1 << 10,
        "MiB" | "M" | "MB" => 1 << 20,
        "GiB" | "G" | "GB" => 1 << 30,
        other => return Err(format!("unknown unit `{other}`; use KiB, MiB or GiB")),
    };
    number
        .checked_mul(scale)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{t}` is out of range"))
}

/// A token bucket: `rate` tokens per second, holding at most one second's
/// worth.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(rate: u32) -> TokenBucket {
        TokenBucket {
            rate: f64::from(rate),
            tokens: f64::from(rate),
            last: Instant::now(),
        }
    }

    /// Takes `n` tokens if there are that many; otherwise takes none.
    pub fn take(&mut self, n: u32) -> bool {
        self.take_at(n, Instant::now())
    }

    fn take_at(&mut self, n: u32, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate);
        let n = f64::from(n);
        if self.tokens >= n {
            self.tokens -= n;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_bytes("64MiB"), Ok(64 << 20));
        assert_eq!(parse_bytes("512KiB"), Ok(512 << 10));
        assert_eq!(parse_bytes("1000"), Ok(1000));
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("12 parsecs").is_err());
        assert!(parse_bytes("MiB").is_err());
    }

    #[test]
    fn durations_parse_like_scenarios() {
        assert_eq!(parse_duration("10min"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("10").is_err());
    }

    #[test]
    fn a_room_gets_the_flags_it_enforces() {
        let limits = RoomLimits {
            idle: Duration::from_millis(1500),
            members: 3,
            ..RoomLimits::default()
        };
        let rules = limits.rules();
        assert_eq!(rules.idle, Tick::from_millis(1500));
        assert_eq!(rules.members, 3);
        assert_eq!(rules.info().idle_s, 1);
        assert_eq!(rules.info().rooms, 50);
    }

    #[test]
    fn the_bucket_allows_a_second_of_burst_then_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket {
            rate: 100.0,
            tokens: 100.0,
            last: start,
        };
        assert!(bucket.take_at(60, start));
        assert!(bucket.take_at(40, start));
        assert!(!bucket.take_at(1, start), "the burst is spent");
        assert!(bucket.take_at(10, start + Duration::from_millis(100)));
        assert!(!bucket.take_at(1, start + Duration::from_millis(100)));
        // Never more than a second's worth, however long it rested.
        assert!(!bucket.take_at(101, start + Duration::from_secs(60)));
        assert!(bucket.take_at(100, start + Duration::from_secs(60)));
    }
}
