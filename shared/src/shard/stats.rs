//! How evenly a scheme spreads keys, and how many keys move when the server
//! list changes: the two numbers the shard lab compares schemes by.

use serde::{Deserialize, Serialize};

/// Keys per server and the usual summaries of their spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// Keys placed on each server, by server index.
    pub counts: Vec<u64>,
    pub total: u64,
    /// `total / servers`: what each server would hold if perfectly even.
    pub mean: f64,
    pub min: u64,
    pub max: u64,
    /// Population standard deviation of `counts` (over the servers, not a
    /// sample of them).
    pub std_dev: f64,
}

impl Balance {
    /// Counts an assignment (`assignment[i]` = server of key `i`) over
    /// `servers` servers.
    pub fn from_assignment(assignment: &[u32], servers: usize) -> Self {
        let mut counts = vec![0u64; servers];
        for &server in assignment {
            counts[server as usize] += 1;
        }
        Self::from_counts(counts)
    }

    /// Summarises per-server counts (for instance read back from live nodes).
    pub fn from_counts(counts: Vec<u64>) -> Self {
        let total: u64 = counts.iter().sum();
        let servers = counts.len().max(1) as f64;
        let mean = total as f64 / servers;
        let variance = counts
            .iter()
            .map(|&c| (c as f64 - mean).powi(2))
            .sum::<f64>()
            / servers;
        Balance {
            min: counts.iter().copied().min().unwrap_or(0),
            max: counts.iter().copied().max().unwrap_or(0),
            counts,
            total,
            mean,
            std_dev: variance.sqrt(),
        }
    }

    /// The busiest server's load relative to a perfectly even share: 1.0 is
    /// perfect, 2.0 means one server holds twice its share.
    pub fn max_over_mean(&self) -> f64 {
        if self.mean == 0.0 {
            0.0
        } else {
            self.max as f64 / self.mean
        }
    }

    /// The standard deviation as a fraction of the mean (coefficient of
    /// variation), comparable across key counts.
    pub fn relative_std_dev(&self) -> f64 {
        if self.mean == 0.0 {
            0.0
        } else {
            self.std_dev / self.mean
        }
    }
}

/// How many keys changed server between two placements of the same keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moves {
    pub moved: u64,
    pub total: u64,
}

impl Moves {
    /// Compares two assignments of the same keys by server *name*, so a
    /// server that keeps its name but changes position (one before it left)
    /// counts as the same server.
    pub fn between(
        before: &[u32],
        before_servers: &[String],
        after: &[u32],
        after_servers: &[String],
    ) -> Self {
        assert_eq!(before.len(), after.len(), "the same keys on both sides");
        let moved = before
            .iter()
            .zip(after)
            .filter(|&(&b, &a)| before_servers[b as usize] != after_servers[a as usize])
            .count();
        Moves {
            moved: moved as u64,
            total: before.len() as u64,
        }
    }

    /// `moved / total` (0 when there are no keys).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.moved as f64 / self.total as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_of_a_small_assignment() {
        let balance = Balance::from_assignment(&[0, 0, 0, 1, 2, 2], 4);
        assert_eq!(balance.counts, vec![3, 1, 2, 0]);
        assert_eq!(balance.total, 6);
        assert_eq!(balance.mean, 1.5);
        assert_eq!((balance.min, balance.max), (0, 3));
        assert_eq!(balance.max_over_mean(), 2.0);
        // deviations 1.5, -0.5, 0.5, -1.5: variance (2.25+0.25+0.25+2.25)/4.
        assert!((balance.std_dev - 1.25f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn moves_compare_server_names() {
        let four: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let without_b: Vec<String> = ["a", "c", "d"].map(String::from).to_vec();
        // Key 0 stays on "a"; key 1 leaves "b"; key 2 stays on "c" although
        // its index changes from 2 to 1; key 3 moves from "d" to "a".
        let moves = Moves::between(&[0, 1, 2, 3], &four, &[0, 0, 1, 0], &without_b);
        assert_eq!(moves, Moves { moved: 2, total: 4 });
        assert_eq!(moves.fraction(), 0.5);
    }
}
