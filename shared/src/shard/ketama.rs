//! Consistent hashing on a ring with virtual nodes, in the ketama variant
//! (last.fm's libketama; libmemcached's `MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED`,
//! which spymemcached and many other clients copy).
//!
//! Each server puts points on a ring of 2^32 positions: for
//! `i in 0..points/4` it takes `md5("{server}-{i}")` and reads four
//! little-endian 32-bit words from the digest, each one point. A key is
//! hashed to the first four digest bytes of its own MD5 (little-endian) and
//! belongs to the first point at or after it, wrapping round past 2^32 − 1.
//! With equal weights libmemcached gives each server 160 points; fewer
//! points make the arcs, and so the shares, more uneven.
//!
//! Adding a server only takes the arcs in front of its new points, about
//! `1/(n+1)` of the keys; all other keys stay. One difference between real
//! clients: libmemcached names a server on the default port 11211 by host
//! alone (`"10.0.0.1-0"`), libketama always as `"host:port"`. The lab
//! follows libketama; the two agree on any other port.

use super::md5_byte;

/// libmemcached's points per server when all weights are equal.
pub const DEFAULT_POINTS_PER_SERVER: u32 = 160;

/// The ring: sorted points, each owned by a server index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ring {
    /// `(position, server index)`, sorted by position then server, so that
    /// the (rare) collisions resolve the same way everywhere.
    points: Vec<(u32, u32)>,
    servers: usize,
}

impl Ring {
    /// Builds the ring for `servers` with `points_per_server` points each
    /// (at least one). Points come four to an MD5 digest; a count that is
    /// not a multiple of four uses the first words of the last digest.
    pub fn new(servers: &[String], points_per_server: u32) -> Self {
        let per_server = points_per_server.max(1) as usize;
        let mut points = Vec::with_capacity(servers.len() * per_server);
        for (index, server) in servers.iter().enumerate() {
            let index = u32::try_from(index).expect("fewer than 2^32 servers");
            for i in 0..per_server.div_ceil(4) {
                let digest = md5_byte::digest(&format!("{server}-{i}"));
                let wanted = (per_server - 4 * i).min(4);
                for word in digest.chunks_exact(4).take(wanted) {
                    let position = u32::from_le_bytes(word.try_into().expect("4 bytes"));
                    points.push((position, index));
                }
            }
        }
        points.sort_unstable();
        Ring {
            points,
            servers: servers.len(),
        }
    }

    /// The ring's points, `(position, server index)`, in ring order.
    pub fn points(&self) -> &[(u32, u32)] {
        &self.points
    }

    /// The server owning ring position `hash`: the first point at or after
    /// it, wrapping to the first point.
    pub fn lookup(&self, hash: u32) -> usize {
        let at = self
            .points
            .partition_point(|&(position, _)| position < hash);
        let (_, server) = self
            .points
            .get(at)
            .or(self.points.first())
            .copied()
            .unwrap_or((0, 0));
        server as usize
    }

    /// The fraction of the ring (and so of uniformly hashed keys) each
    /// server owns: the arcs ending at its points.
    pub fn shares(&self) -> Vec<f64> {
        let mut owned = vec![0u64; self.servers];
        let Some(&(last, _)) = self.points.last() else {
            return vec![0.0; self.servers];
        };
        let mut previous = last;
        for (i, &(position, server)) in self.points.iter().enumerate() {
            // The first point's arc wraps round from the last point.
            let arc = if i == 0 {
                u64::from(position) + (1u64 << 32) - u64::from(previous)
            } else {
                u64::from(position) - u64::from(previous)
            };
            owned[server as usize] += arc;
            previous = position;
        }
        owned
            .into_iter()
            .map(|arc| arc as f64 / (1u64 << 32) as f64)
            .collect()
    }
}

/// The ring position of a key: the first four bytes of its MD5 digest,
/// little-endian (libmemcached's `MEMCACHED_HASH_MD5`).
pub fn key_hash(digest: &[u8; 16]) -> u32 {
    u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn servers(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("10.0.0.{i}:11211")).collect()
    }

    #[test]
    fn lookup_wraps_round_the_ring() {
        let ring = Ring::new(&servers(3), 160);
        assert_eq!(ring.points().len(), 480);
        assert!(ring.points().windows(2).all(|w| w[0] <= w[1]));
        let (first_position, first_owner) = ring.points()[0];
        let (last_position, _) = *ring.points().last().expect("points");
        assert_eq!(ring.lookup(first_position), first_owner as usize);
        assert_eq!(ring.lookup(0), first_owner as usize);
        assert_eq!(ring.lookup(u32::MAX), first_owner as usize);
        assert_eq!(
            ring.lookup(last_position.wrapping_add(1)),
            first_owner as usize
        );
    }

    #[test]
    fn any_point_count() {
        for points in [1, 3, 4, 5, 160] {
            let ring = Ring::new(&servers(2), points);
            assert_eq!(ring.points().len(), 2 * points as usize);
        }
        // The first points of a longer ring are the points of a shorter one.
        let short = Ring::new(&servers(1), 5);
        let long = Ring::new(&servers(1), 8);
        assert!(short.points().iter().all(|p| long.points().contains(p)));
    }

    #[test]
    fn shares_add_up_to_one() {
        for n in [1, 2, 5, 16] {
            let shares = Ring::new(&servers(n), 160).shares();
            let total: f64 = shares.iter().sum();
            assert!((total - 1.0).abs() < 1e-9, "{n}: {total}");
        }
    }

    #[test]
    fn adding_a_server_only_takes_keys_for_itself() {
        let before = Ring::new(&servers(4), 160);
        let after = Ring::new(&servers(5), 160);
        for i in 0..2000 {
            let hash = key_hash(&md5_byte::digest(&format!("key{i}")));
            let (b, a) = (before.lookup(hash), after.lookup(hash));
            assert!(a == b || a == 4, "key{i}: {b} -> {a}");
        }
    }
}
