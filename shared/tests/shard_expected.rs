//! The numbers the shard lab must show, computed natively and kept in
//! `shared/tests/shard/expected.json` for the browser test
//! (`frontend/e2e/shards.test.mjs`), which checks that the page shows exactly
//! these. This test fails if the file is stale; regenerate it with
//! `FANOUT_BLESS=1 cargo test -p fanout-shared --test shard_expected`.
//!
//! It also prints the chapter's table (keys per server and share) for the
//! shipped word list, as the chapter's program prints it.

use fanout_shared::shard::{self, Balance, KeySet, Moves, Placer, Scheme, ServerChange, Settings};
use serde_json::{Map, Value, json};

const WORDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../static/words.txt");
const PASTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/shard/pasted.txt");
const EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/shard/expected.json");

/// The lab's opening state: the shipped list, lower-cased, on 4 servers,
/// default settings (process A's PYTHONHASHSEED = 1, 160 ring points).
fn scenario(text: &str, servers: usize, change: ServerChange) -> Value {
    let keys = KeySet::parse(text, true);
    let settings = Settings::default();
    let before_servers = shard::servers(servers);
    let after_servers = change.apply(&before_servers);
    let mut balance = Map::new();
    let mut moves = Map::new();
    for scheme in Scheme::ALL {
        let before = Placer::new(scheme, &before_servers, &settings)
            .expect("placer")
            .assign(&keys);
        let after = Placer::new(scheme, &after_servers, &settings)
            .expect("placer")
            .assign(&keys);
        let b = Balance::from_assignment(&before, before_servers.len());
        let m = Moves::between(&before, &before_servers, &after, &after_servers);
        balance.insert(
            scheme.id().into(),
            json!({
                "counts": b.counts,
                "max_over_mean": round(b.max_over_mean(), 2),
                "std_dev": round(b.std_dev, 1),
            }),
        );
        moves.insert(
            scheme.id().into(),
            json!({ "moved": m.moved, "total": m.total, "percent": round(100.0 * m.fraction(), 1) }),
        );
    }
    json!({
        "keys": keys.len(),
        "words_read": keys.words_read(),
        "servers": before_servers,
        "change": change,
        "servers_after": after_servers,
        "balance": balance,
        "moves": moves,
    })
}

fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

fn expected() -> Value {
    let words = std::fs::read_to_string(WORDS).expect("static/words.txt");
    let pasted = std::fs::read_to_string(PASTED).expect("pasted.txt");
    json!({
        "generated_by": "shared/tests/shard_expected.rs (FANOUT_BLESS=1 cargo test -p fanout-shared --test shard_expected)",
        "settings": Settings::default(),
        "word_list_4_to_5": scenario(&words, 4, ServerChange::Add),
        "pasted_3_remove_first": scenario(&pasted, 3, ServerChange::Remove(0)),
    })
}

#[test]
fn expected_values_file_is_current() {
    let value = expected();
    let text = serde_json::to_string_pretty(&value).expect("JSON") + "\n";
    if std::env::var_os("FANOUT_BLESS").is_some() {
        std::fs::write(EXPECTED, &text).expect("write expected.json");
        eprintln!("wrote {EXPECTED}");
    }
    let stored = std::fs::read_to_string(EXPECTED).unwrap_or_default();
    assert!(
        stored == text,
        "{EXPECTED} is stale; regenerate it with FANOUT_BLESS=1 cargo test -p fanout-shared --test shard_expected"
    );
}

#[test]
fn chapter_table_and_moves() {
    let value = expected();
    let scenario = &value["word_list_4_to_5"];
    let keys = scenario["keys"].as_f64().expect("keys");
    for scheme in Scheme::ALL {
        let balance = &scenario["balance"][scheme.id()];
        println!("{}", scheme.id());
        for (i, count) in balance["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .enumerate()
        {
            let count = count.as_f64().expect("count");
            println!(" server{i} {count} {:.2}", count / keys);
        }
        println!(" moved 4→5: {}%", scenario["moves"][scheme.id()]["percent"]);
    }
    // The lesson's claims, on the real word list.
    let percent = |id: &str| scenario["moves"][id]["percent"].as_f64().expect("percent");
    for mod_n in ["builtin_hash", "md5_last_byte", "crc32"] {
        assert!(
            (78.0..=82.0).contains(&percent(mod_n)),
            "{mod_n}: {}",
            percent(mod_n)
        );
    }
    for consistent in ["ketama", "rendezvous", "jump"] {
        assert!(
            (17.0..=23.0).contains(&percent(consistent)),
            "{consistent}: {}",
            percent(consistent)
        );
    }
    let alpha = &scenario["balance"]["first_letter"];
    assert!(
        alpha["max_over_mean"].as_f64().expect("ratio") > 1.2,
        "first letters are lopsided"
    );
}
