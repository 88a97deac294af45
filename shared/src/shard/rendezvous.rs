//! Rendezvous (highest random weight) hashing exactly as pymemcache 4.0's
//! `HashClient` does it (`pymemcache/client/rendezvous.py`).
//!
//! Every server scores every key with `murmur3_32(f"{server}-{key}", 0)`
//! (the server named `"host:port"`) and the highest score wins; on a tie the
//! server whose name sorts last wins. Adding a server only takes the keys
//! that now score highest on it; removing one only moves the keys it had.
//! The price: one hash per server per key.

use super::murmur3::murmur3_32_pymemcache;

/// pymemcache's score of `key` on `server`.
pub fn score(server: &str, key: &str) -> u32 {
    murmur3_32_pymemcache(&format!("{server}-{key}"), 0)
}

/// The index of the winning server, as `RendezvousHash.get_node`.
pub fn place(key: &str, servers: &[String]) -> usize {
    let mut winner = 0;
    let mut high_score = None;
    // One buffer for all servers: this runs once per server per key.
    let mut text = String::new();
    for (index, server) in servers.iter().enumerate() {
        text.clear();
        text.push_str(server);
        text.push('-');
        text.push_str(key);
        let score = murmur3_32_pymemcache(&text, 0);
        match high_score {
            Some(high) if score < high => {}
            Some(high) if score == high => {
                if *server > servers[winner] {
                    winner = index;
                }
            }
            _ => {
                high_score = Some(score);
                winner = index;
            }
        }
    }
    winner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_a_server_moves_only_its_keys() {
        let servers: Vec<String> = (1..=4).map(|i| format!("10.0.0.{i}:11211")).collect();
        let fewer: Vec<String> = servers
            .iter()
            .filter(|s| !s.contains(".3:"))
            .cloned()
            .collect();
        for i in 0..500 {
            let key = format!("key{i}");
            let before = &servers[place(&key, &servers)];
            let after = &fewer[place(&key, &fewer)];
            if before != "10.0.0.3:11211" {
                assert_eq!(before, after, "{key}");
            }
        }
    }
}
