//! EVAL, EVALSHA and SCRIPT, for the scripts the Python libraries send.
//!
//! Fanout embeds no Lua interpreter: an arbitrary script could run forever
//! or grow without bound, and the model must stay pure and bounded. What
//! Celery needs are eight fixed scripts (redis-py's Lock: release, extend,
//! reacquire; kombu's binding refresh and sweep; Celery's chord part,
//! cleanup and claim extension). Each is recognised by its text (white
//! space aside, so a re-indented copy is still known) and run natively
//! below, with the same effects and the same reply as the Lua would give.
//! Their texts are in `scripts/`, copied from redis 8.1.0, kombu 5.7.0 and
//! celery 5.7.0. Any other script is refused with an error that says so.
//!
//! Digests are SHA-1 of the exact text, as Redis computes them, so a
//! client's EVALSHA finds a script after SCRIPT LOAD or EVAL; before that
//! it gets Redis's NOSCRIPT and loads it, as redis-py does.

use std::collections::BTreeMap;

use sha1::{Digest, Sha1};

use super::{
    engine::{Call, Flow, Redis},
    error::RedisError,
    keyspace::{Value, as_str},
    lists::End,
    number::{int_arg, parse_f64, parse_i64},
    sets,
    zsets::{self, ZaddFlags},
};

type Res = Result<Flow, RedisError>;

/// The scripts Fanout knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    LockRelease,
    LockExtend,
    LockReacquire,
    RefreshBinding,
    SweepBindings,
    ChordPartReturn,
    ChordCleanup,
    ChordClaimExtend,
}

const KNOWN: [(Known, &str); 8] = [
    (
        Known::LockRelease,
        include_str!("scripts/redis_py_lock_release.lua"),
    ),
    (
        Known::LockExtend,
        include_str!("scripts/redis_py_lock_extend.lua"),
    ),
    (
        Known::LockReacquire,
        include_str!("scripts/redis_py_lock_reacquire.lua"),
    ),
    (
        Known::RefreshBinding,
        include_str!("scripts/kombu_refresh_binding.lua"),
    ),
    (
        Known::SweepBindings,
        include_str!("scripts/kombu_sweep_bindings.lua"),
    ),
    (
        Known::ChordPartReturn,
        include_str!("scripts/celery_chord_part_return.lua"),
    ),
    (
        Known::ChordCleanup,
        include_str!("scripts/celery_chord_cleanup.lua"),
    ),
    (
        Known::ChordClaimExtend,
        include_str!("scripts/celery_chord_claim_extend.lua"),
    ),
];

/// The script cache: digest (lower-case hex) → script.
#[derive(Debug, Default)]
pub struct Scripts {
    loaded: BTreeMap<String, Known>,
}

/// Which known script `body` is, white space aside.
pub fn recognise(body: &[u8]) -> Option<Known> {
    let wanted = normalise(body);
    KNOWN
        .iter()
        .find(|(_, text)| normalise(text.as_bytes()) == wanted)
        .map(|(known, _)| *known)
}

fn normalise(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for word in text
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(word);
    }
    out
}

/// SHA-1 of `body` in lower-case hex.
pub fn digest(body: &[u8]) -> String {
    let hash = Sha1::digest(body);
    hash.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Splits `numkeys key… arg…` (after the script or digest).
/// A script's KEYS and ARGV.
type KeysAndArgs<'a> = (&'a [&'a [u8]], &'a [&'a [u8]]);

fn keys_and_args<'a>(args: &'a [&'a [u8]]) -> Result<KeysAndArgs<'a>, RedisError> {
    let count = int_arg(args[2])?;
    if count > (args.len() - 3) as i64 {
        return Err(RedisError::TooManyKeys);
    }
    if count < 0 {
        return Err(RedisError::NegativeKeys);
    }
    let rest = &args[3..];
    Ok(rest.split_at(count as usize))
}

pub(super) fn eval(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let (keys, argv) = keys_and_args(args)?;
    let known = recognise(args[1]).ok_or(RedisError::UnknownScript)?;
    let sha = digest(args[1]);
    r.scripts.loaded.insert(sha.clone(), known);
    run(r, c, known, &sha, keys, argv)
}

pub(super) fn evalsha(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let (keys, argv) = keys_and_args(args)?;
    let sha = String::from_utf8_lossy(args[1]).to_ascii_lowercase();
    let known = *r.scripts.loaded.get(&sha).ok_or(RedisError::NoScript)?;
    run(r, c, known, &sha, keys, argv)
}

pub(super) fn script_load(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    let known = recognise(args[2]).ok_or(RedisError::UnknownScript)?;
    let sha = digest(args[2]);
    r.scripts.loaded.insert(sha.clone(), known);
    c.out.bulk(sha.as_bytes());
    Ok(Flow::Continue)
}

pub(super) fn script_exists(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    c.out.array(args.len() - 2);
    for sha in &args[2..] {
        let sha = String::from_utf8_lossy(sha).to_ascii_lowercase();
        c.out.int(i64::from(r.scripts.loaded.contains_key(&sha)));
    }
    Ok(Flow::Continue)
}

pub(super) fn script_flush(r: &mut Redis, c: &mut Call, args: &[&[u8]]) -> Res {
    match args.get(2) {
        None => {}
        Some(mode) if mode.eq_ignore_ascii_case(b"sync") || mode.eq_ignore_ascii_case(b"async") => {
        }
        Some(_) if args.len() > 3 => return Err(RedisError::WrongArity("script|flush".to_owned())),
        Some(_) => return Err(RedisError::ScriptFlushMode),
    }
    if args.len() > 3 {
        return Err(RedisError::WrongArity("script|flush".to_owned()));
    }
    r.scripts.loaded.clear();
    c.out.ok();
    Ok(Flow::Continue)
}

/// Where in its text a native script is, so that an error from one of its
/// `redis.call`s names the line as Redis does ("… script: <sha>, on
/// @user_script:<line>.").
#[derive(Debug)]
struct Trace {
    text: &'static str,
    /// Byte offset of the last call found, to find the next one after it.
    at: usize,
    line: usize,
}

impl Trace {
    fn new(known: Known) -> Trace {
        let text = KNOWN
            .iter()
            .find(|(k, _)| *k == known)
            .map_or("", |(_, text)| *text);
        Trace {
            text,
            at: 0,
            line: 0,
        }
    }

    /// Moves to the next `redis.call` whose text contains `needle`.
    fn at(&mut self, needle: &str) {
        let found = self.text[self.at..]
            .find(needle)
            .map(|i| i + self.at)
            .or_else(|| self.text.find(needle));
        if let Some(position) = found {
            self.at = position + needle.len();
            self.line = 1 + self.text[..position].matches('\n').count();
        }
    }
}

/// Runs a known script as one atomic step, blocking nothing.
fn run(
    r: &mut Redis,
    c: &mut Call,
    known: Known,
    sha: &str,
    keys: &[&[u8]],
    argv: &[&[u8]],
) -> Res {
    let key = |i: usize| keys.get(i).copied().ok_or_else(missing);
    let arg = |i: usize| argv.get(i).copied().ok_or_else(missing);
    let nested = c.nested;
    c.nested = true;
    let mut t = Trace::new(known);
    let result = match known {
        Known::LockRelease => lock_release(r, c, &mut t, key(0)?, arg(0)?),
        Known::LockExtend => lock_extend(r, c, &mut t, key(0)?, arg(0)?, arg(1)?, arg(2)?),
        Known::LockReacquire => lock_reacquire(r, c, &mut t, key(0)?, arg(0)?, arg(1)?),
        Known::RefreshBinding => {
            refresh_binding(r, c, &mut t, key(0)?, key(1)?, arg(0)?, arg(1)?, arg(2)?)
        }
        Known::SweepBindings => sweep_bindings(r, c, &mut t, key(0)?, arg(0)?, arg(1)?, arg(2)?),
        Known::ChordPartReturn => chord_part_return(r, c, &mut t, keys, argv),
        Known::ChordCleanup => chord_cleanup(r, c, &mut t, keys, argv),
        Known::ChordClaimExtend => {
            chord_claim_extend(r, c, &mut t, key(0)?, key(1)?, arg(0)?, arg(1)?)
        }
    };
    c.nested = nested;
    match result {
        Ok(()) => Ok(Flow::Continue),
        Err(error @ RedisError::ScriptError(_)) => Err(error),
        Err(error) if t.line > 0 => Err(RedisError::InScript {
            error: Box::new(error),
            sha: sha.to_owned(),
            line: t.line,
        }),
        Err(error) => Err(error),
    }
}

/// What a script sees when it indexes KEYS or ARGV past their end: Lua's
/// nil, which these scripts would pass on to a command and fail.
fn missing() -> RedisError {
    RedisError::ScriptError("Lua redis lib command arguments must be strings or integers")
}

/// `redis.call('GET', key)`: the string, `None`, or WRONGTYPE.
fn get_string(r: &mut Redis, c: &Call, key: &[u8]) -> Result<Option<Vec<u8>>, RedisError> {
    match r.dbs[c.db].get(key, c.now) {
        None => Ok(None),
        Some(entry) => Ok(Some(as_str(entry)?.clone())),
    }
}

fn delete(r: &mut Redis, c: &Call, key: &[u8]) {
    if r.dbs[c.db].contains(key, c.now) {
        r.dbs[c.db].remove(key);
        r.touch_key(c.db, key);
        r.event(
            super::event::EventKind::Delete,
            c.conn,
            c.db,
            key,
            b"",
            b"",
            0,
        );
    }
}

/// `redis.call('PEXPIRE', key, ms)` (or EXPIRE with `ms` already × 1000).
fn set_ttl(r: &mut Redis, c: &Call, key: &[u8], millis: i64) -> bool {
    let when = millis.saturating_add(c.now as i64);
    if !r.dbs[c.db].contains(key, c.now) {
        return false;
    }
    if when <= c.now as i64 {
        delete(r, c, key);
    } else {
        if let Some(mut entry) = r.dbs[c.db].get_mut(key, c.now) {
            entry.expires_at = Some(when as u64);
        }
        r.touch_key(c.db, key);
    }
    true
}

/// `SET key value [NX] EX seconds`; whether it stored.
fn set_string(
    r: &mut Redis,
    c: &Call,
    key: &[u8],
    value: &[u8],
    seconds: Option<i64>,
    nx: bool,
) -> Result<bool, RedisError> {
    if nx && r.dbs[c.db].contains(key, c.now) {
        return Ok(false);
    }
    let expires_at = match seconds {
        None => None,
        Some(s) if s > 0 => Some(c.now + (s as u64).saturating_mul(1000)),
        Some(_) => return Err(RedisError::InvalidExpire("set")),
    };
    let mut entry = super::keyspace::Entry::new(Value::Str(value.to_vec()), c.now);
    entry.expires_at = expires_at;
    r.dbs[c.db].insert(key.to_vec(), entry);
    r.touch_key(c.db, key);
    r.event(
        super::event::EventKind::Set,
        c.conn,
        c.db,
        key,
        b"",
        value,
        0,
    );
    Ok(true)
}

fn lock_release(
    r: &mut Redis,
    c: &mut Call,
    t: &mut Trace,
    key: &[u8],
    token: &[u8],
) -> Result<(), RedisError> {
    t.at("redis.call('get'");
    if get_string(r, c, key)?.as_deref() != Some(token) {
        c.out.int(0);
        return Ok(());
    }
    delete(r, c, key);
    c.out.int(1);
    Ok(())
}

fn lock_extend(
    r: &mut Redis,
    c: &mut Call,
    t: &mut Trace,
    key: &[u8],
    token: &[u8],
    extra: &[u8],
    replace: &[u8],
) -> Result<(), RedisError> {
    t.at("redis.call('get'");
    if get_string(r, c, key)?.as_deref() != Some(token) {
        c.out.int(0);
        return Ok(());
    }
    let left = match r.dbs[c.db]
        .get(key, c.now)
        .and_then(|entry| entry.expires_at)
    {
        Some(at) => at.saturating_sub(c.now) as i64,
        None => -1,
    };
    if left < 0 {
        c.out.int(0);
        return Ok(());
    }
    let extra = int_arg(extra)?;
    let ttl = if replace == b"0" { extra + left } else { extra };
    set_ttl(r, c, key, ttl);
    c.out.int(1);
    Ok(())
}

fn lock_reacquire(
    r: &mut Redis,
    c: &mut Call,
    t: &mut Trace,
    key: &[u8],
    token: &[u8],
    millis: &[u8],
) -> Result<(), RedisError> {
    t.at("redis.call('get'");
    if get_string(r, c, key)?.as_deref() != Some(token) {
        c.out.int(0);
        return Ok(());
    }
    set_ttl(r, c, key, int_arg(millis)?);
    c.out.int(1);
    Ok(())
}

fn number(arg: &[u8]) -> Result<f64, RedisError> {
    parse_f64(arg).ok_or(RedisError::ScriptError(
        "attempt to perform arithmetic on a nil value",
    ))
}

#[allow(clippy::too_many_arguments)]
fn refresh_binding(
    r: &mut Redis,
    c: &mut Call,
    t: &mut Trace,
    table: &[u8],
    deadlines: &[u8],
    member: &[u8],
    exchange: &[u8],
    ttl_ms: &[u8],
) -> Result<(), RedisError> {
    let ttl = number(ttl_ms)?;
    t.at("redis.call('SADD'");
    sets::add_members(r, c, table, &[member])?;
    let deadline = c.now as f64 + ttl;
    let flags = ZaddFlags {
        gt: true,
        ..ZaddFlags::default()
    };
    t.at("redis.call('ZADD'");
    zsets::add_members(r, c, deadlines, &[(deadline, exchange)], flags)?;
    c.out.null();
    Ok(())
}

fn sweep_bindings(
    r: &mut Redis,
    c: &mut Call,
    t: &mut Trace,
    deadlines: &[u8],
    table_prefix: &[u8],
    permanent_prefix: &[u8],
    limit: &[u8],
) -> Result<(), RedisError> {
    let limit = number(limit)? as usize;
    let now = c.now as f64;
    t.at("'ZRANGEBYSCORE'");
    let overdue: Vec<Vec<u8>> = match r.dbs[c.db].get(deadlines, c.now) {
        None => Vec::new(),
        Some(entry) => match &entry.value {
            Value::ZSet(set) => set
                .iter(false)
                .take_while(|(_, score)| *score <= now)
                .take(limit)
                .map(|(member, _)| member.to_vec())
                .collect(),
            _ => return Err(RedisError::WrongType),
        },
    };
    for exchange in &overdue {
        let permanent = [permanent_prefix, exchange].concat();
        if !r.dbs[c.db].contains(&permanent, c.now) {
            delete(r, c, &[table_prefix, exchange].concat());
        }
        zsets::remove_members(r, c, deadlines, &[exchange])?;
    }
    c.out.int(overdue.len() as i64);
    Ok(())
}

fn chord_part_return(
    r: &mut Redis,
    c: &mut Call,
    t: &mut Trace,
    keys: &[&[u8]],
    argv: &[&[u8]],
) -> Result<(), RedisError> {
    let [jkey, tkey, skey, dkey, gkey, ckey] = keys.get(..6).ok_or_else(missing)? else {
        return Err(missing());
    };
    let [
        tid,
        value,
        ordered,
        score,
        expires,
        group_expires,
        claim_expires,
        claim_token,
    ] = argv.get(..8).ok_or_else(missing)?
    else {
        return Err(missing());
    };
    let expires = number(expires)?;
    let group_expires = number(group_expires)?;
    t.at("redis.call('GET', ckey)");
    if get_string(r, c, ckey)?.as_deref() == Some(b"done") {
        c.out.array(4);
        for n in [-1, 0, 0, 0] {
            c.out.int(n);
        }
        return Ok(());
    }
    let member = [*tid, b":", score].concat();
    let ordered = *ordered == b"1";
    let known = match r.dbs[c.db].get(dkey, c.now) {
        None => false,
        Some(entry) => match &entry.value {
            Value::Set(set) => set.contains(&member),
            _ => return Err(RedisError::WrongType),
        },
    };
    if !known {
        if ordered {
            let score = parse_f64(score).ok_or(RedisError::NotFloat)?;
            zsets::add_members(r, c, jkey, &[(score, value)], ZaddFlags::default())?;
        } else {
            match r.dbs[c.db]
                .get(jkey, c.now)
                .map(|entry| matches!(entry.value, Value::List(_)))
            {
                Some(false) => return Err(RedisError::WrongType),
                _ => r.push_list(c.db, jkey, End::Right, value.to_vec()),
            }
        }
        sets::add_members(r, c, dkey, &[&member])?;
    }
    let ready = match r.dbs[c.db].get(jkey, c.now).map(|entry| &entry.value) {
        None => 0,
        Some(Value::ZSet(set)) if ordered => set.len(),
        Some(Value::List(list)) if !ordered => list.len(),
        Some(_) => return Err(RedisError::WrongType),
    };
    if expires > 0.0 {
        for key in [jkey, tkey, skey, dkey] {
            set_ttl(r, c, key, (expires as i64).saturating_mul(1000));
        }
        if group_expires > 0.0 {
            set_ttl(r, c, gkey, (group_expires as i64).saturating_mul(1000));
        }
    }
    t.at("redis.call('GET', tkey)");
    let total_diff = get_string(r, c, tkey)?;
    t.at("redis.call('GET', skey)");
    let size = get_string(r, c, skey)?;
    let mut claimed = 0;
    if let Some(size) = &size {
        let size = lua_number(size)?;
        let diff = match &total_diff {
            Some(diff) => lua_number(diff)?,
            None => 0.0,
        };
        if ready as f64 == size + diff {
            let seconds = number(claim_expires)? as i64;
            if set_string(r, c, ckey, claim_token, Some(seconds), true)? {
                claimed = 1;
            }
        }
    }
    c.out.array(4);
    c.out.int(ready as i64);
    for found in [&total_diff, &size] {
        match found {
            Some(bytes) => c.out.bulk(bytes),
            // Lua's `false` inside a table: a RESP2 null whatever the
            // client's protocol, as Redis 7.0 converts it.
            None => c.out.buf.extend_from_slice(b"$-1\r\n"),
        }
    }
    c.out.int(claimed);
    Ok(())
}

/// `tonumber(s)` on a stored string.
fn lua_number(bytes: &[u8]) -> Result<f64, RedisError> {
    parse_i64(bytes)
        .map(|n| n as f64)
        .or_else(|| parse_f64(bytes))
        .ok_or(RedisError::ScriptError(
            "attempt to perform arithmetic on a nil value",
        ))
}

fn chord_cleanup(
    r: &mut Redis,
    c: &mut Call,
    t: &mut Trace,
    keys: &[&[u8]],
    argv: &[&[u8]],
) -> Result<(), RedisError> {
    let [ckey, jkey, tkey, skey, dkey] = keys.get(..5).ok_or_else(missing)? else {
        return Err(missing());
    };
    let token = argv.first().ok_or_else(missing)?;
    let done_expires = argv.get(1).and_then(|arg| parse_f64(arg));
    t.at("redis.call('GET', ckey)");
    if get_string(r, c, ckey)?.as_deref() != Some(*token) {
        c.out.int(0);
        return Ok(());
    }
    for key in [jkey, tkey, skey, dkey] {
        delete(r, c, key);
    }
    if let Some(seconds) = done_expires.filter(|s| *s > 0.0) {
        set_string(r, c, ckey, b"done", Some(seconds as i64), false)?;
    }
    c.out.int(1);
    Ok(())
}

fn chord_claim_extend(
    r: &mut Redis,
    c: &mut Call,
    t: &mut Trace,
    ckey: &[u8],
    skey: &[u8],
    token: &[u8],
    expires: &[u8],
) -> Result<(), RedisError> {
    let seconds = number(expires)? as i64;
    t.at("redis.call('GET', ckey)");
    let current = get_string(r, c, ckey)?;
    if current.as_deref() == Some(token) {
        let done = set_ttl(r, c, ckey, seconds.saturating_mul(1000));
        c.out.int(i64::from(done));
        return Ok(());
    }
    if current.is_none() && r.dbs[c.db].contains(skey, c.now) {
        let stored = set_string(r, c, ckey, token, Some(seconds), true)?;
        c.out.int(i64::from(stored));
        return Ok(());
    }
    c.out.int(0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_those_the_libraries_send() {
        // As seen in a real Celery worker's MONITOR output.
        let release = KNOWN[0].1.as_bytes();
        assert_eq!(digest(release), "c3f8721cbb97f72bc19e972846bd7aaf91901658");
        assert_eq!(
            digest(KNOWN[3].1.as_bytes()),
            "ef7a9e205fbaf46bf959e1522ff796622fc676c7"
        );
        assert_eq!(
            digest(KNOWN[4].1.as_bytes()),
            "9a2b966a0a2d2d0e36ec32bc30fc89342b94a4bf"
        );
    }

    #[test]
    fn scripts_are_recognised_whatever_their_indentation() {
        let reindented = "local token = redis.call('get', KEYS[1])\n if not token or token ~= ARGV[1] then return 0 end\n\tredis.call('del', KEYS[1]) return 1";
        assert_eq!(recognise(reindented.as_bytes()), Some(Known::LockRelease));
        assert_eq!(recognise(b"return 1"), None);
    }
}
