//! Real memcached clients and tools, written by others, against Fanout's
//! cache nodes: libmemcached's `memccapable`, pymemcache's own integration
//! tests, the chapter's compute_square program on python-memcached, and
//! python-memcached's key placement over four nodes.
//!
//! Each test needs a program that `cargo xtask test` provides through an
//! environment variable, and skips (saying so) when it is absent.

mod cache_support;
mod common;

use std::{path::Path, process::Command};

use cache_support::{Client, target_dir, tool};
use common::Fanout;

#[test]
fn memccapable_ascii_checks_all_pass() {
    let Some(memccapable) = tool("FANOUT_MEMCCAPABLE") else {
        return;
    };
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let node = fanout.cache_nodes[0];
    let output = Command::new(memccapable)
        .args([
            "-a",
            "-t",
            "10",
            "-h",
            "127.0.0.1",
            "-p",
            &node.port().to_string(),
        ])
        .output()
        .expect("memccapable runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let passed = stdout.lines().filter(|l| l.ends_with("[pass]")).count();
    println!("memccapable: {passed} passed\n{stdout}");
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("All tests passed"), "{stdout}");
    assert!(!stdout.contains("[FAIL]"), "{stdout}");
    assert_eq!(passed, 27, "{stdout}");
}

/// pymemcache's source distribution, downloaded once into target/.
fn pymemcache_sdist(python: &Path) -> std::path::PathBuf {
    let dir = target_dir().join("compat");
    let tree = dir.join("pymemcache-4.0.0");
    if tree.join("pymemcache/test/test_integration.py").exists() {
        return tree;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let status = Command::new(python)
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "pymemcache==4.0.0",
            "-d",
        ])
        .arg(&dir)
        .status()
        .expect("pip runs");
    assert!(
        status.success(),
        "pip download of pymemcache's sdist failed"
    );
    let status = Command::new(python)
        .args([
            "-c",
            "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])",
        ])
        .arg(dir.join("pymemcache-4.0.0.tar.gz"))
        .arg(&dir)
        .status()
        .expect("python runs");
    assert!(status.success(), "unpacking pymemcache's sdist failed");
    tree
}

#[test]
fn pymemcache_integration_tests_pass_but_tls() {
    let Some(python) = tool("FANOUT_PYTHON") else {
        return;
    };
    let tree = pymemcache_sdist(&python);
    let fanout = Fanout::start(&["--cache-nodes", "1"]);
    let port = fanout.cache_nodes[0].port().to_string();
    let output = Command::new(&python)
        .current_dir(&tree)
        .args([
            "-m",
            "pytest",
            "pymemcache/test/test_integration.py",
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            "-m",
            "integration",
            "-rs",
            "-q",
            "--server",
            "127.0.0.1",
            "--port",
            &port,
        ])
        .output()
        .expect("pytest runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(output.status.success(), "{stdout}");
    let summary = stdout
        .lines()
        .rev()
        .find(|line| line.contains(" passed"))
        .expect("a pytest summary line");
    // "100 passed, 3 skipped in 4.02s": the number before each word.
    let count = |word: &str| -> u64 {
        let words: Vec<_> = summary
            .split([' ', ','])
            .filter(|w| !w.is_empty())
            .collect();
        words
            .windows(2)
            .find(|pair| pair[1] == word)
            .and_then(|pair| pair[0].parse().ok())
            .unwrap_or(0)
    };
    assert_eq!(count("passed"), 100, "{summary}");
    assert_eq!(count("failed"), 0, "{summary}");
    // The only skips are test_tls, which pymemcache itself marks skipped.
    let skip_lines: Vec<_> = stdout
        .lines()
        .filter(|l| l.starts_with("SKIPPED"))
        .collect();
    assert_eq!(count("skipped"), 3, "{summary}");
    for line in skip_lines {
        assert!(line.contains("issues/39"), "unexpected skip: {line}");
    }
}

#[test]
fn the_chapters_program_warms_the_cache_run_by_run() {
    let Some(python) = tool("FANOUT_PYTHON") else {
        return;
    };
    // The defaults (4 nodes, 64 MiB each), with node 0 where the chapter
    // expects 127.0.0.1:11211.
    let fanout = Fanout::start(&[]);
    let port = fanout.cache_nodes[0].port().to_string();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/chapter.py");
    let output = Command::new(&python)
        .arg(script)
        .arg(&port)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("Ten successive runs:"), "{stdout}");
    let mut ratios = Vec::new();
    let (mut last_hits, mut last_misses) = (0u64, 0u64);
    for line in stdout.lines().filter(|l| l.starts_with("run ")) {
        let words: Vec<_> = line.split_whitespace().collect();
        let hits: u64 = words[3].parse().unwrap();
        let misses: u64 = words[5].parse().unwrap();
        let (run_hits, run_misses) = (hits - last_hits, misses - last_misses);
        assert_eq!(run_hits + run_misses, 2000, "{line}");
        ratios.push(run_hits as f64 / 2000.0);
        (last_hits, last_misses) = (hits, misses);
    }
    println!("hit ratio per run: {ratios:.2?}");
    assert_eq!(ratios.len(), 10);
    // 2,000 draws from 5,001 numbers: about a third of run 1 repeats a
    // number drawn earlier in the run; by run 10 nearly all are cached.
    assert!(ratios[0] < 0.35, "{ratios:?}");
    assert!(ratios[9] > 0.9, "{ratios:?}");
    for pair in ratios.windows(2) {
        assert!(pair[1] + 0.05 >= pair[0], "hit ratio fell: {ratios:?}");
    }
    // Every miss stored its square: the node holds them all, each the
    // square of its number, stored by python-memcached as an integer
    // (flags 2). Which numbers were drawn is random, so read them all.
    let mut client = Client::connect(fanout.cache_nodes[0]);
    assert_eq!(client.stat("curr_items"), last_misses);
    let mut stored = 0;
    for first in (0..=5000u64).step_by(100) {
        let keys: Vec<String> = (first..(first + 100).min(5001))
            .map(|n| format!("sq:{n}"))
            .collect();
        let reply = client.call(&format!("get {}\r\n", keys.join(" ")));
        let mut lines = reply.lines();
        while let Some(header) = lines.next().filter(|line| *line != "END") {
            let words: Vec<_> = header.split(' ').collect();
            let n: u64 = words[1].strip_prefix("sq:").unwrap().parse().unwrap();
            let value = lines.next().expect("a data block");
            assert_eq!(&words[..1], ["VALUE"], "{reply}");
            assert_eq!(words[2], "2", "flags of an integer: {header}");
            assert_eq!(value, (n * n).to_string(), "{header}");
            assert_eq!(words[3], value.len().to_string(), "{header}");
            stored += 1;
        }
    }
    assert_eq!(stored, last_misses);
}

#[test]
fn python_memcached_places_keys_where_its_crc32_scheme_says() {
    let Some(python) = tool("FANOUT_PYTHON") else {
        return;
    };
    let fanout = Fanout::start(&[]);
    let addrs: Vec<String> = fanout.cache_nodes.iter().map(|a| a.to_string()).collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/placement.py");
    let count = 1000;
    let output = Command::new(&python)
        .arg(script)
        .arg(count.to_string())
        .args(&addrs)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut clients: Vec<Client> = fanout
        .cache_nodes
        .iter()
        .map(|&a| Client::connect(a))
        .collect();
    let mut per_node = vec![0; clients.len()];
    for i in 0..count {
        let key = format!("word:{i}");
        let hash = (crc32fast::hash(key.as_bytes()) >> 16) & 0x7fff;
        let expected = hash as usize % clients.len();
        for (node, client) in clients.iter_mut().enumerate() {
            let reply = client.call(&format!("get {key}\r\n"));
            let present = reply.starts_with("VALUE");
            assert_eq!(present, node == expected, "{key} on node {node}: {reply}");
        }
        per_node[expected] += 1;
    }
    println!("keys per node: {per_node:?}");
    assert!(per_node.iter().all(|&n| n > 150), "{per_node:?}");
}
