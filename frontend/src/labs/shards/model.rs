//! What the lab shows, computed from the shared shard functions: every
//! scheme's placement of every key before and after the server change, with
//! balance and moves. No placement logic lives here; this only arranges the
//! calls and the numbers for display.

use std::{ops::Deref, sync::Arc};

use fanout_shared::shard::{Balance, KeySet, Moves, Placer, Ring, Scheme, Settings};

/// An `Arc` compared by identity, so large results can sit in signals and
/// memos without comparing their contents.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared(Arc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// One scheme's results.
#[derive(Debug)]
pub struct SchemeRun {
    pub scheme: Scheme,
    /// Server index (into [`Runs::before_servers`]) per key.
    pub before: Vec<u32>,
    /// Server index (into [`Runs::after_servers`]) per key.
    pub after: Vec<u32>,
    pub balance: Balance,
    pub moves: Moves,
}

/// All schemes over one key set, before and after one server change.
#[derive(Debug)]
pub struct Runs {
    pub before_servers: Vec<String>,
    pub after_servers: Vec<String>,
    pub schemes: Vec<SchemeRun>,
    pub ring_before: Ring,
    pub ring_after: Ring,
}

impl Runs {
    pub fn compute(
        keys: &KeySet,
        before: &[String],
        after: &[String],
        settings: &Settings,
    ) -> Self {
        let mut ring_before = None;
        let mut ring_after = None;
        let schemes = Scheme::ALL
            .into_iter()
            .map(|scheme| {
                let placer_before = Placer::new(scheme, before, settings).expect("servers");
                let placer_after = Placer::new(scheme, after, settings).expect("servers");
                let assigned_before = placer_before.assign(keys);
                let assigned_after = placer_after.assign(keys);
                if let (Some(b), Some(a)) = (placer_before.ring(), placer_after.ring()) {
                    ring_before = Some(b.clone());
                    ring_after = Some(a.clone());
                }
                SchemeRun {
                    scheme,
                    balance: Balance::from_assignment(&assigned_before, before.len()),
                    moves: Moves::between(&assigned_before, before, &assigned_after, after),
                    before: assigned_before,
                    after: assigned_after,
                }
            })
            .collect();
        Runs {
            before_servers: before.to_vec(),
            after_servers: after.to_vec(),
            schemes,
            ring_before: ring_before.expect("the ketama scheme builds a ring"),
            ring_after: ring_after.expect("the ketama scheme builds a ring"),
        }
    }

    pub fn scheme(&self, scheme: Scheme) -> &SchemeRun {
        self.schemes
            .iter()
            .find(|run| run.scheme == scheme)
            .expect("every scheme is computed")
    }

    /// The largest count on any server under any scheme: the common scale
    /// of the balance charts, so lopsidedness compares across cards.
    pub fn max_count(&self) -> u64 {
        self.schemes
            .iter()
            .map(|run| run.balance.max)
            .max()
            .unwrap_or(0)
    }
}

/// `count` indices spread evenly over `0..len`: the keys drawn one by one.
pub fn sample(len: usize, count: usize) -> Vec<usize> {
    if len <= count {
        return (0..len).collect();
    }
    (0..count).map(|i| i * len / count).collect()
}

/// `73697` → `"73,697"`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A fraction as a percentage with one decimal: `0.2004` → `"20.0%"`.
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", 100.0 * fraction)
}

/// A short label for a server: its number in the lab's naming (`10.0.0.7`
/// → `"7"`), else its position from 1.
pub fn server_label(name: &str, index: usize) -> String {
    name.strip_prefix("10.0.0.")
        .and_then(|rest| rest.split(':').next())
        .map(str::to_owned)
        .unwrap_or_else(|| (index + 1).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(73_697), "73,697");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(percent(0.2004), "20.0%");
        assert_eq!(server_label("10.0.0.12:11211", 0), "12");
        assert_eq!(server_label("cache:1", 4), "5");
        assert_eq!(sample(10, 3), vec![0, 3, 6]);
        assert_eq!(sample(2, 3), vec![0, 1]);
    }
}
