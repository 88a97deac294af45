//! The chapter's `alpha_shard`: place a word by its first letter.
//!
//! The chapter splits the alphabet into four runs (`a–f`, `g–m`, `n–s`,
//! `t–z`) and compares the first character against the run boundaries, so
//! anything sorting before `g` (digits, apostrophes, capitals) lands on the
//! first server and anything after `z` (accented letters) on the last. For
//! `n` servers the 26 letters are cut at `floor(26·i/n)`, which for `n = 4`
//! gives exactly the chapter's boundaries `g`, `n` and `t`. It teaches how
//! lopsided natural data is: English has many more words starting with `s`
//! than with `x`.

/// The letter each server after the first starts at, for `servers` servers.
///
/// With more than 26 servers some runs are empty; those servers get nothing.
pub fn boundaries(servers: usize) -> Vec<char> {
    (1..servers)
        .map(|i| {
            let offset = u8::try_from(26 * i / servers).expect("below 26");
            char::from(b'a' + offset)
        })
        .collect()
}

/// The server for `key` under the given boundaries (see [`boundaries`]):
/// the number of boundaries the first character is at or after, exactly the
/// chapter's chain of `if word[0] < 'g'` tests. An empty key, which the
/// chapter's function would fail on, goes to the first server.
pub fn place(key: &str, boundaries: &[char]) -> usize {
    match key.chars().next() {
        Some(first) => boundaries.iter().filter(|&&b| first >= b).count(),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_servers_match_the_chapter() {
        assert_eq!(boundaries(4), vec!['g', 'n', 't']);
        let b = boundaries(4);
        for (word, server) in [
            ("apple", 0),
            ("fig", 0),
            ("grape", 1),
            ("melon", 1),
            ("nectarine", 2),
            ("strawberry", 2),
            ("tomato", 3),
            ("zucchini", 3),
            ("3d", 0),
            ("'tis", 0),
            ("Zebra", 0), // capitals sort before 'g', as in the chapter
            ("éclair", 3),
        ] {
            assert_eq!(place(word, &b), server, "{word}");
        }
    }

    #[test]
    fn one_server_takes_everything_and_many_servers_stay_in_range() {
        assert_eq!(place("anything", &boundaries(1)), 0);
        for n in 1..=40 {
            let b = boundaries(n);
            assert_eq!(b.len(), n - 1);
            for word in ["a", "m", "z", "~", ""] {
                assert!(place(word, &b) < n);
            }
        }
    }
}
