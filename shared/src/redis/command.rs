//! The command table: every command the model answers, with Redis 7.0's
//! arity (positive: exactly that many arguments, the name included;
//! negative: at least that many) and the flags that decide how the engine
//! treats it. Container commands (CLIENT, CONFIG, SCRIPT, PUBSUB) carry
//! their subcommands, named `client|setname` in errors as Redis names them.

use super::{
    admin,
    engine::{Call, Flow, Redis, unknown_command},
    error::{RedisError, sanitize},
    hashes, keys, lists, pubsub, scripts, sets, strings, transaction, zsets,
};

/// What a command does when run.
pub type Handler = fn(&mut Redis, &mut Call, &[&[u8]]) -> Result<Flow, RedisError>;

/// How the engine treats a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags(u8);

impl Flags {
    pub const NONE: Flags = Flags(0);
    /// Changes data.
    pub const WRITE: Flags = Flags(1);
    /// May grow the data: refused with OOM when memory is full.
    pub const DENY_OOM: Flags = Flags(2);
    /// Allowed to a RESP2 client in subscribed mode.
    pub const PUBSUB: Flags = Flags(4);
    /// Runs at once even inside MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT,
    /// RESET).
    pub const NO_QUEUE: Flags = Flags(8);

    pub const fn with(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

const W: Flags = Flags::WRITE;
const WD: Flags = Flags::WRITE.with(Flags::DENY_OOM);
const R: Flags = Flags::NONE;
const PS: Flags = Flags::PUBSUB;
const NQ: Flags = Flags::NO_QUEUE;

/// One command.
#[derive(Debug)]
pub struct Spec {
    /// Lower case, as Redis's table has it.
    pub name: &'static str,
    /// `name`, or `container|name` for a subcommand.
    pub full_name: &'static str,
    pub arity: i32,
    pub flags: Flags,
    pub run: Handler,
    pub subcommands: &'static [Spec],
}

const fn cmd(name: &'static str, arity: i32, flags: Flags, run: Handler) -> Spec {
    Spec {
        name,
        full_name: name,
        arity,
        flags,
        run,
        subcommands: &[],
    }
}

const fn sub(name: &'static str, full_name: &'static str, arity: i32, run: Handler) -> Spec {
    Spec {
        name,
        full_name,
        arity,
        flags: Flags::NONE,
        run,
        subcommands: &[],
    }
}

const fn container(name: &'static str, flags: Flags, subcommands: &'static [Spec]) -> Spec {
    Spec {
        name,
        full_name: name,
        arity: -2,
        flags,
        run: never,
        subcommands,
    }
}

fn never(_: &mut Redis, _: &mut Call, _: &[&[u8]]) -> Result<Flow, RedisError> {
    Err(RedisError::Syntax)
}

/// Sorted by name (a test checks), for binary search.
pub static COMMANDS: &[Spec] = &[
    cmd("append", 3, WD, strings::append),
    cmd("auth", -2, R, admin::auth),
    cmd("blmove", 6, WD, lists::blmove),
    cmd("blpop", -3, W, lists::blpop),
    cmd("brpop", -3, W, lists::brpop),
    cmd("brpoplpush", 4, WD, lists::brpoplpush),
    container("client", R, CLIENT),
    container("config", R, CONFIG),
    cmd("dbsize", 1, R, admin::dbsize),
    cmd("decr", 2, WD, strings::decr),
    cmd("decrby", 3, WD, strings::decrby),
    cmd("del", -2, W, keys::del),
    cmd("discard", 1, NQ, transaction::discard),
    cmd("echo", 2, R, admin::echo),
    cmd("eval", -3, R, scripts::eval),
    cmd("evalsha", -3, R, scripts::evalsha),
    cmd("exec", 1, NQ, transaction::exec),
    cmd("exists", -2, R, keys::exists),
    cmd("expire", -3, W, keys::expire),
    cmd("expireat", -3, W, keys::expireat),
    cmd("expiretime", 2, R, keys::expiretime),
    cmd("flushall", -1, W, admin::flushall),
    cmd("flushdb", -1, W, admin::flushdb),
    cmd("get", 2, R, strings::get),
    cmd("getdel", 2, W, strings::getdel),
    cmd("getex", -2, W, strings::getex),
    cmd("getrange", 4, R, strings::getrange),
    cmd("getset", 3, WD, strings::getset),
    cmd("hdel", -3, W, hashes::hdel),
    cmd("hello", -1, R, admin::hello),
    cmd("hexists", 3, R, hashes::hexists),
    cmd("hget", 3, R, hashes::hget),
    cmd("hgetall", 2, R, hashes::hgetall),
    cmd("hincrby", 4, WD, hashes::hincrby),
    cmd("hkeys", 2, R, hashes::hkeys),
    cmd("hlen", 2, R, hashes::hlen),
    cmd("hmget", -3, R, hashes::hmget),
    cmd("hmset", -4, WD, hashes::hmset),
    cmd("hset", -4, WD, hashes::hset),
    cmd("hsetnx", 4, WD, hashes::hsetnx),
    cmd("hstrlen", 3, R, hashes::hstrlen),
    cmd("hvals", 2, R, hashes::hvals),
    cmd("incr", 2, WD, strings::incr),
    cmd("incrby", 3, WD, strings::incrby),
    cmd("info", -1, R, admin::info),
    cmd("keys", 2, R, keys::keys),
    cmd("lindex", 3, R, lists::lindex),
    cmd("linsert", 5, WD, lists::linsert),
    cmd("llen", 2, R, lists::llen),
    cmd("lmove", 5, WD, lists::lmove),
    cmd("lpop", -2, W, lists::lpop),
    cmd("lpush", -3, WD, lists::lpush),
    cmd("lpushx", -3, WD, lists::lpushx),
    cmd("lrange", 4, R, lists::lrange),
    cmd("lrem", 4, W, lists::lrem),
    cmd("lset", 4, WD, lists::lset),
    cmd("ltrim", 4, W, lists::ltrim),
    cmd("mget", -2, R, strings::mget),
    cmd("mset", -3, WD, strings::mset),
    cmd("msetnx", -3, WD, strings::msetnx),
    cmd("multi", 1, NQ, transaction::multi),
    cmd("persist", 2, W, keys::persist),
    cmd("pexpire", -3, W, keys::pexpire),
    cmd("pexpireat", -3, W, keys::pexpireat),
    cmd("pexpiretime", 2, R, keys::pexpiretime),
    cmd("ping", -1, PS, admin::ping),
    cmd("psetex", 4, WD, strings::psetex),
    cmd("psubscribe", -2, PS, pubsub::psubscribe),
    cmd("pttl", 2, R, keys::pttl),
    cmd("publish", 3, R, pubsub::publish),
    container("pubsub", R, PUBSUB),
    cmd("punsubscribe", -1, PS, pubsub::punsubscribe),
    cmd("quit", -1, PS.with(NQ), admin::quit),
    cmd("rename", 3, W, keys::rename),
    cmd("renamenx", 3, W, keys::renamenx),
    cmd("reset", 1, PS.with(NQ), admin::reset),
    cmd("rpop", -2, W, lists::rpop),
    cmd("rpoplpush", 3, WD, lists::rpoplpush),
    cmd("rpush", -3, WD, lists::rpush),
    cmd("rpushx", -3, WD, lists::rpushx),
    cmd("sadd", -3, WD, sets::sadd),
    cmd("scan", -2, R, keys::scan),
    cmd("scard", 2, R, sets::scard),
    container("script", R, SCRIPT),
    cmd("sdiff", -2, R, sets::sdiff),
    cmd("select", 2, R, admin::select),
    cmd("set", -3, WD, strings::set),
    cmd("setex", 4, WD, strings::setex),
    cmd("setnx", 3, WD, strings::setnx),
    cmd("setrange", 4, WD, strings::setrange),
    cmd("sinter", -2, R, sets::sinter),
    cmd("sismember", 3, R, sets::sismember),
    cmd("smembers", 2, R, sets::smembers),
    cmd("smismember", -3, R, sets::smismember),
    cmd("smove", 4, W, sets::smove),
    cmd("srem", -3, W, sets::srem),
    cmd("strlen", 2, R, strings::strlen),
    cmd("subscribe", -2, PS, pubsub::subscribe),
    cmd("sunion", -2, R, sets::sunion),
    cmd("time", 1, R, admin::time),
    cmd("touch", -2, R, keys::touch),
    cmd("ttl", 2, R, keys::ttl),
    cmd("type", 2, R, keys::type_),
    cmd("unlink", -2, W, keys::del),
    cmd("unsubscribe", -1, PS, pubsub::unsubscribe),
    cmd("unwatch", 1, R, transaction::unwatch),
    cmd("watch", -2, NQ, transaction::watch),
    cmd("zadd", -4, WD, zsets::zadd),
    cmd("zcard", 2, R, zsets::zcard),
    cmd("zcount", 4, R, zsets::zcount),
    cmd("zincrby", 4, WD, zsets::zincrby),
    cmd("zlexcount", 4, R, zsets::zlexcount),
    cmd("zmscore", -3, R, zsets::zmscore),
    cmd("zpopmax", -2, W, zsets::zpopmax),
    cmd("zpopmin", -2, W, zsets::zpopmin),
    cmd("zrange", -4, R, zsets::zrange),
    cmd("zrangebylex", -4, R, zsets::zrangebylex),
    cmd("zrangebyscore", -4, R, zsets::zrangebyscore),
    cmd("zrank", 3, R, zsets::zrank),
    cmd("zrem", -3, W, zsets::zrem),
    cmd("zremrangebyrank", 4, W, zsets::zremrangebyrank),
    cmd("zremrangebyscore", 4, W, zsets::zremrangebyscore),
    cmd("zrevrange", -4, R, zsets::zrevrange),
    cmd("zrevrangebylex", -4, R, zsets::zrevrangebylex),
    cmd("zrevrangebyscore", -4, R, zsets::zrevrangebyscore),
    cmd("zrevrank", 3, R, zsets::zrevrank),
    cmd("zscore", 3, R, zsets::zscore),
];

static CLIENT: &[Spec] = &[
    sub("getname", "client|getname", 2, admin::client_getname),
    sub("id", "client|id", 2, admin::client_id),
    sub("setname", "client|setname", 3, admin::client_setname),
];

static CONFIG: &[Spec] = &[
    sub("get", "config|get", -3, admin::config_get),
    sub("resetstat", "config|resetstat", 2, admin::config_resetstat),
    sub("set", "config|set", -4, admin::config_set),
];

static PUBSUB: &[Spec] = &[
    sub("channels", "pubsub|channels", -2, pubsub::channels),
    sub("numpat", "pubsub|numpat", 2, pubsub::numpat),
    sub("numsub", "pubsub|numsub", -2, pubsub::numsub),
];

static SCRIPT: &[Spec] = &[
    sub("exists", "script|exists", -3, scripts::script_exists),
    sub("flush", "script|flush", -2, scripts::script_flush),
    sub("load", "script|load", 3, scripts::script_load),
];

/// `name` among `table`, ignoring case.
fn find(table: &'static [Spec], name: &[u8]) -> Option<&'static Spec> {
    let mut lower = [0u8; 24];
    if name.len() > lower.len() {
        return None;
    }
    for (to, from) in lower.iter_mut().zip(name) {
        *to = from.to_ascii_lowercase();
    }
    let lower = &lower[..name.len()];
    table
        .binary_search_by(|spec| spec.name.as_bytes().cmp(lower))
        .ok()
        .map(|index| &table[index])
}

/// The command `args` names, its arity checked.
pub fn lookup(args: &[&[u8]]) -> Result<&'static Spec, RedisError> {
    let spec = find(COMMANDS, args[0]).ok_or_else(|| unknown_command(args))?;
    if spec.subcommands.is_empty() || args.len() == 1 {
        check_arity(spec, args.len())?;
        return Ok(spec);
    }
    let Some(sub) = find(spec.subcommands, args[1]) else {
        let name = String::from_utf8_lossy(args[0]).to_uppercase();
        let wanted = String::from_utf8_lossy(&args[1][..args[1].len().min(128)]).into_owned();
        return Err(RedisError::UnknownSubcommand {
            command: sanitize(&name),
            sub: sanitize(&wanted),
        });
    };
    check_arity(sub, args.len())?;
    Ok(sub)
}

fn check_arity(spec: &Spec, count: usize) -> Result<(), RedisError> {
    let count = count as i64;
    let arity = i64::from(spec.arity);
    if (arity > 0 && count != arity) || (arity < 0 && count < -arity) {
        return Err(RedisError::WrongArity(spec.full_name.to_owned()));
    }
    Ok(())
}

/// HTTP's methods, as a browser sends them.
const HTTP_METHODS: &[&[u8]] = &[
    b"GET", b"HEAD", b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"CONNECT", b"TRACE",
];

/// Whether a request looks like HTTP: Redis's rule (a command named
/// `POST` or `Host:`, any case), and an HTTP request line
/// (`GET / HTTP/1.1`), which Redis would answer with an arity error first.
pub fn is_http(args: &[&[u8]]) -> bool {
    let first = args[0];
    if first.eq_ignore_ascii_case(b"post") || first.eq_ignore_ascii_case(b"host:") {
        return true;
    }
    args.len() == 3 && HTTP_METHODS.contains(&first) && args[2].starts_with(b"HTTP/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        for table in [COMMANDS, CLIENT, CONFIG, PUBSUB, SCRIPT] {
            for pair in table.windows(2) {
                assert!(
                    pair[0].name < pair[1].name,
                    "{} !< {}",
                    pair[0].name,
                    pair[1].name
                );
            }
        }
    }

    #[test]
    fn lookup_checks_arity_and_subcommands() {
        assert_eq!(lookup(&[b"GeT", b"k"]).unwrap().name, "get");
        assert_eq!(
            lookup(&[b"get"]).unwrap_err().to_string(),
            "ERR wrong number of arguments for 'get' command"
        );
        assert_eq!(
            lookup(&[b"client", b"setinfo", b"lib-name", b"x"])
                .unwrap_err()
                .to_string(),
            "ERR unknown subcommand 'setinfo'. Try CLIENT HELP."
        );
        assert_eq!(
            lookup(&[b"client", b"setname"]).unwrap_err().to_string(),
            "ERR wrong number of arguments for 'client|setname' command"
        );
        assert_eq!(
            lookup(&[b"foo", b"bar", b"baz"]).unwrap_err().to_string(),
            "ERR unknown command 'foo', with args beginning with: 'bar' 'baz' "
        );
    }

    #[test]
    fn http_is_recognised() {
        assert!(is_http(&[b"POST", b"/", b"HTTP/1.1"]));
        assert!(is_http(&[b"Host:", b"example.com"]));
        assert!(is_http(&[b"GET", b"/", b"HTTP/1.1"]));
        assert!(!is_http(&[b"GET", b"HTTP/1.1"]));
        assert!(!is_http(&[b"SET", b"k", b"HTTP/1.1"]));
    }
}
