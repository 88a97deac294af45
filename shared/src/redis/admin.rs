//! Connection and server commands: PING, ECHO, QUIT, RESET, HELLO (RESP2
//! or RESP3: redis-py 8 asks for RESP3 on every connection), AUTH, SELECT,
//! CLIENT ID/SETNAME/GETNAME, INFO, TIME, DBSIZE, FLUSHDB, FLUSHALL and
//! CONFIG GET/SET/RESETSTAT.
//!
//! CLIENT SETINFO, which redis-py also sends, came with Redis 7.2; like
//! Debian's 7.0.15 this answers it with "unknown subcommand", which
//! redis-py ignores.

use super::{
    engine::{Call, DATABASES, Flow, REDIS_VERSION, Redis, Stats},
    error::RedisError,
    event::EventKind,
    glob,
    memory::Policy,
    number::{int_arg, parse_i64},
    pubsub,
    resp::Protocol,
};

type Res = Result<Flow, RedisError>;

pub(super) fn ping(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    if args.len() > 2 {
        return Err(RedisError::WrongArity("ping".to_owned()));
    }
    if !c.out.resp3() && r.pubsub.subscriptions(c.conn) > 0 {
        c.out.array(2);
        c.out.bulk(b"pong");
        c.out.bulk(args.get(1).copied().unwrap_or(b""));
        return Ok(Flow::Continue);
    }
    match args.get(1) {
        Some(message) => c.out.bulk(message),
        None => c.out.simple("PONG"),
    }
    Ok(Flow::Continue)
}

pub(super) fn echo(_: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    c.out.bulk(args[1]);
    Ok(Flow::Continue)
}

pub(super) fn quit(_: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    c.out.ok();
    Ok(Flow::Close)
}

pub(super) fn reset(r: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    pubsub::leave_all(r, c.conn);
    let client = r.clients.get_mut(&c.conn).expect("connected");
    client.multi = None;
    client.db = 0;
    client.protocol = Protocol::Resp2;
    client.name = None;
    client.dirty_cas = false;
    let watched: Vec<(usize, Vec<u8>)> = std::mem::take(&mut client.watched)
        .into_iter()
        .map(|(db, key, _)| (db, key))
        .collect();
    r.unwatch_all(c.conn, &watched);
    c.out.protocol = Protocol::Resp2;
    c.out.simple("RESET");
    Ok(Flow::Continue)
}

/// A client name as Redis accepts it: printable ASCII without spaces.
fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

pub(super) fn hello(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let mut version = None;
    if args.len() >= 2 {
        let asked = parse_i64(args[1]).ok_or(RedisError::ProtoNotInteger)?;
        if !(2..=3).contains(&asked) {
            return Err(RedisError::NoProto);
        }
        version = Some(asked);
    }
    let mut name: Option<&[u8]> = None;
    let mut credentials: Option<(&[u8], &[u8])> = None;
    let mut j = 2;
    while j < args.len() {
        let more = args.len() - 1 - j;
        if args[j].eq_ignore_ascii_case(b"auth") && more >= 2 {
            credentials = Some((args[j + 1], args[j + 2]));
            j += 2;
        } else if args[j].eq_ignore_ascii_case(b"setname") && more >= 1 {
            if !valid_name(args[j + 1]) {
                return Err(RedisError::ClientName);
            }
            name = Some(args[j + 1]);
            j += 1;
        } else {
            return Err(RedisError::HelloOption(
                String::from_utf8_lossy(args[j]).into_owned(),
            ));
        }
        j += 1;
    }
    if let Some((user, _)) = credentials {
        authenticate(user)?;
    }
    let client = r.clients.get_mut(&c.conn).expect("connected");
    if let Some(name) = name {
        client.name = (!name.is_empty()).then(|| name.to_vec());
    }
    if let Some(version) = version {
        client.protocol = if version == 3 {
            Protocol::Resp3
        } else {
            Protocol::Resp2
        };
        c.out.protocol = client.protocol;
    }
    let proto = if c.out.resp3() { 3 } else { 2 };
    c.out.map(7);
    for (field, value) in [("server", "redis"), ("version", REDIS_VERSION)] {
        c.out.bulk(field.as_bytes());
        c.out.bulk(value.as_bytes());
    }
    c.out.bulk(b"proto");
    c.out.int(proto);
    c.out.bulk(b"id");
    c.out.int(c.conn as i64);
    for (field, value) in [("mode", "standalone"), ("role", "master")] {
        c.out.bulk(field.as_bytes());
        c.out.bulk(value.as_bytes());
    }
    c.out.bulk(b"modules");
    c.out.array(0);
    Ok(Flow::Continue)
}

/// Fanout has Redis's default user with no password: any password is
/// accepted for it, and there is no other user.
fn authenticate(user: &[u8]) -> Result<(), RedisError> {
    if user == b"default" {
        Ok(())
    } else {
        Err(RedisError::WrongPass)
    }
}

pub(super) fn auth(_: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    match args.len() {
        2 => Err(RedisError::AuthWithoutPassword),
        3 => {
            authenticate(args[1])?;
            c.out.ok();
            Ok(Flow::Continue)
        }
        _ => Err(RedisError::Syntax),
    }
}

pub(super) fn select(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let index = int_arg(args[1])?;
    if index < i64::from(i32::MIN) || index > i64::from(i32::MAX) {
        return Err(RedisError::NotInteger);
    }
    if index < 0 || index >= DATABASES as i64 {
        return Err(RedisError::DbIndex);
    }
    r.clients.get_mut(&c.conn).expect("connected").db = index as usize;
    c.db = index as usize;
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn client_id(_: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    c.out.int(c.conn as i64);
    Ok(Flow::Continue)
}

pub(super) fn client_setname(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let name = args[2];
    if !valid_name(name) {
        return Err(RedisError::ClientName);
    }
    r.clients.get_mut(&c.conn).expect("connected").name = (!name.is_empty()).then(|| name.to_vec());
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn client_getname(r: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    match &r.clients[&c.conn].name {
        Some(name) => c.out.bulk(name),
        None => c.out.null(),
    }
    Ok(Flow::Continue)
}

pub(super) fn time(_: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    c.out.array(2);
    c.out.bulk((c.now / 1000).to_string().as_bytes());
    c.out.bulk(((c.now % 1000) * 1000).to_string().as_bytes());
    Ok(Flow::Continue)
}

pub(super) fn dbsize(r: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    c.out.int(r.dbs[c.db].len() as i64);
    Ok(Flow::Continue)
}

fn flush_mode(args: &[&[u8]]) -> Result<(), RedisError> {
    match args.get(1) {
        None => Ok(()),
        Some(_) if args.len() > 2 => Err(RedisError::Syntax),
        Some(mode) if mode.eq_ignore_ascii_case(b"sync") || mode.eq_ignore_ascii_case(b"async") => {
            Ok(())
        }
        Some(_) => Err(RedisError::Syntax),
    }
}

fn flush(r: &mut Redis, c: &Call, db: usize) {
    r.touch_all(db);
    r.dbs[db].clear();
    r.event(EventKind::Flush, c.conn, db, b"", b"", b"", 0);
}

pub(super) fn flushdb(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    flush_mode(args)?;
    flush(r, c, c.db);
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn flushall(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    flush_mode(args)?;
    for db in 0..DATABASES {
        flush(r, c, db);
    }
    c.out.ok();
    Ok(Flow::Continue)
}

/// The configuration parameters CONFIG GET knows, with their values.
fn parameters(r: &Redis) -> Vec<(&'static str, String)> {
    vec![
        ("appendonly", "no".to_owned()),
        ("databases", DATABASES.to_string()),
        ("maxclients", r.info.max_clients.to_string()),
        ("maxmemory", r.memory.limit.to_string()),
        ("maxmemory-policy", r.memory.policy.name().to_owned()),
        ("port", r.info.port.to_string()),
        ("proto-max-bulk-len", r.max_string.to_string()),
        ("save", String::new()),
        ("timeout", "0".to_owned()),
    ]
}

pub(super) fn config_get(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let found: Vec<(&'static str, String)> = parameters(r)
        .into_iter()
        .filter(|(name, _)| {
            args[2..]
                .iter()
                .any(|pattern| glob::matches(pattern, name.as_bytes(), true))
        })
        .collect();
    c.out.map(found.len());
    for (name, value) in &found {
        c.out.bulk(name.as_bytes());
        c.out.bulk(value.as_bytes());
    }
    Ok(Flow::Continue)
}

/// Redis's `memtoull`: a byte count with an optional unit (k, kb, m,
/// mb, g, gb; k is 1000, kb is 1024).
fn memory_amount(text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?.to_ascii_lowercase();
    let digits_end = text
        .find(|ch: char| !ch.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let multiplier: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(multiplier)
}

pub(super) fn config_set(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    if args.len() % 2 == 1 {
        return Err(RedisError::WrongArity("config|set".to_owned()));
    }
    let mut memory = r.memory;
    for pair in args[2..].chunks(2) {
        let name = String::from_utf8_lossy(pair[0]).to_ascii_lowercase();
        let value = String::from_utf8_lossy(pair[1]).into_owned();
        match name.as_str() {
            "maxmemory" => {
                memory.limit = memory_amount(pair[1]).ok_or(RedisError::ConfigValue {
                    name,
                    value,
                    why: "argument must be a memory value",
                })?;
            }
            "maxmemory-policy" => {
                memory.policy = Policy::parse(&value).ok_or(RedisError::ConfigValue {
                    name,
                    value,
                    why: "argument(s) must be one of: noeviction, allkeys-lru, allkeys-random, volatile-lru, volatile-random, volatile-ttl",
                })?;
            }
            _ => return Err(RedisError::ConfigSet(name)),
        }
    }
    r.memory = memory;
    c.out.ok();
    Ok(Flow::Continue)
}

pub(super) fn config_resetstat(r: &mut Redis, c: &mut Call, _: &[&[u8]]) -> Res {
    r.stats = Stats::default();
    c.out.ok();
    Ok(Flow::Continue)
}

/// INFO's sections, in Redis's order.
const SECTIONS: [&str; 7] = [
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "keyspace",
];

pub(super) fn info(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let wanted: Vec<String> = args[1..]
        .iter()
        .map(|arg| String::from_utf8_lossy(arg).to_ascii_lowercase())
        .collect();
    let everything = wanted.is_empty()
        || wanted
            .iter()
            .any(|w| w == "all" || w == "default" || w == "everything");
    let mut text = String::new();
    for section in SECTIONS {
        if !everything && !wanted.iter().any(|w| w == section) {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        text.push_str(&section_text(r, c, section));
    }
    c.out.verbatim(&text);
    Ok(Flow::Continue)
}

fn section_text(r: &Redis, c: &Call, section: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut title = section.to_owned();
    title[..1].make_ascii_uppercase();
    lines.push(format!("# {title}"));
    let uptime = c.now.saturating_sub(r.info.started) / 1000;
    let used = r.used_memory();
    match section {
        "server" => {
            lines.push(format!("redis_version:{REDIS_VERSION}"));
            lines.push("redis_mode:standalone".to_owned());
            lines.push("os:Fanout (a teaching model of Redis)".to_owned());
            lines.push("arch_bits:64".to_owned());
            lines.push("multiplexing_api:tokio".to_owned());
            lines.push(format!("tcp_port:{}", r.info.port));
            lines.push(format!("server_time_usec:{}", c.now * 1000));
            lines.push(format!("uptime_in_seconds:{uptime}"));
            lines.push(format!("uptime_in_days:{}", uptime / 86_400));
            lines.push("hz:10".to_owned());
            lines.push("executable:fanout".to_owned());
        }
        "clients" => {
            lines.push(format!("connected_clients:{}", r.connected_clients()));
            lines.push(format!("maxclients:{}", r.info.max_clients));
            lines.push(format!("blocked_clients:{}", r.blocked_clients()));
        }
        "memory" => {
            lines.push(format!("used_memory:{used}"));
            lines.push(format!("used_memory_human:{}", human_bytes(used)));
            lines.push(format!("maxmemory:{}", r.memory.limit));
            lines.push(format!("maxmemory_human:{}", human_bytes(r.memory.limit)));
            lines.push(format!("maxmemory_policy:{}", r.memory.policy.name()));
        }
        "persistence" => {
            lines.push("loading:0".to_owned());
            lines.push("rdb_changes_since_last_save:0".to_owned());
            lines.push("aof_enabled:0".to_owned());
        }
        "stats" => {
            let stats = &r.stats;
            lines.push(format!(
                "total_connections_received:{}",
                stats.total_connections
            ));
            lines.push(format!("total_commands_processed:{}", stats.total_commands));
            lines.push(format!("expired_keys:{}", stats.expired_keys));
            lines.push(format!("evicted_keys:{}", stats.evicted_keys));
            lines.push(format!("keyspace_hits:{}", stats.keyspace_hits));
            lines.push(format!("keyspace_misses:{}", stats.keyspace_misses));
            lines.push(format!("pubsub_channels:{}", r.pubsub_channel_count()));
            lines.push(format!("pubsub_patterns:{}", r.pubsub_pattern_count()));
            lines.push(format!("rejected_writes_oom:{}", stats.rejected_oom));
        }
        "replication" => {
            lines.push("role:master".to_owned());
            lines.push("connected_slaves:0".to_owned());
        }
        "keyspace" => {
            for (index, db) in r.dbs.iter().enumerate() {
                if !db.is_empty() {
                    lines.push(format!(
                        "db{index}:keys={},expires={},avg_ttl=0",
                        db.len(),
                        db.volatile()
                    ));
                }
            }
        }
        _ => {}
    }
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    text
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "K", "M", "G"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else {
        format!("{value:.2}{}", UNITS[unit])
    }
}
