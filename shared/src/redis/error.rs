//! Every error reply the Redis model gives, as a type. Each one's text is
//! Redis 7.0's own, byte for byte (the differential test holds it to
//! that): clients such as redis-py choose their exception class from the
//! first word (`WRONGTYPE`, `NOSCRIPT`, `EXECABORT` …).

/// An error reply; `Display` is the line after the `-`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedisError {
    #[error("ERR unknown command '{name}', with args beginning with: {args}")]
    UnknownCommand { name: String, args: String },
    #[error("ERR unknown subcommand '{sub}'. Try {command} HELP.")]
    UnknownSubcommand { command: String, sub: String },
    #[error("ERR wrong number of arguments for '{0}' command")]
    WrongArity(String),
    #[error("WRONGTYPE Operation against a key holding the wrong kind of value")]
    WrongType,
    #[error("ERR value is not an integer or out of range")]
    NotInteger,
    #[error("ERR value is not a valid float")]
    NotFloat,
    #[error("ERR hash value is not an integer")]
    HashNotInteger,
    #[error("ERR syntax error")]
    Syntax,
    #[error("ERR no such key")]
    NoSuchKey,
    #[error("ERR index out of range")]
    IndexOutOfRange,
    #[error("ERR increment or decrement would overflow")]
    Overflow,
    #[error("ERR decrement would overflow")]
    DecrementOverflow,
    #[error("ERR offset is out of range")]
    OffsetRange,
    #[error("ERR invalid expire time in '{0}' command")]
    InvalidExpire(&'static str),
    #[error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
    )]
    LimitWithRank,
    #[error("ERR syntax error, WITHSCORES not supported in combination with BYLEX")]
    WithScoresWithLex,
    #[error("ERR min or max is not a float")]
    RangeNotFloat,
    #[error("ERR min or max not valid string range item")]
    RangeNotLex,
    #[error("ERR DB index is out of range")]
    DbIndex,
    #[error("ERR value is out of range, must be positive")]
    NotPositive,
    #[error("ERR invalid cursor")]
    InvalidCursor,
    #[error("ERR timeout is not a float or out of range")]
    TimeoutNotFloat,
    #[error("ERR timeout is negative")]
    TimeoutNegative,
    #[error("ERR timeout is out of range")]
    TimeoutRange,
    #[error("ERR XX and NX options at the same time are not compatible")]
    XxAndNx,
    #[error("ERR GT, LT, and/or NX options at the same time are not compatible")]
    GtLtNx,
    #[error("ERR NX and XX, GT or LT options at the same time are not compatible")]
    ExpireOptions,
    #[error("ERR GT and LT options at the same time are not compatible")]
    GtAndLt,
    #[error("ERR Unsupported option {0}")]
    UnsupportedOption(String),
    #[error("ERR INCR option supports a single increment-element pair")]
    IncrPair,
    #[error("ERR resulting score is not a number (NaN)")]
    ScoreNan,
    #[error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")]
    StringTooLong,
    #[error("ERR EXEC without MULTI")]
    ExecWithoutMulti,
    #[error("ERR DISCARD without MULTI")]
    DiscardWithoutMulti,
    #[error("ERR MULTI calls can not be nested")]
    NestedMulti,
    #[error("ERR WATCH inside MULTI is not allowed")]
    WatchInMulti,
    #[error("EXECABORT Transaction discarded because of previous errors.")]
    ExecAbort,
    /// EXEC itself refused: the transaction ends, saying why.
    #[error("EXECABORT Transaction discarded because of: {0}")]
    ExecAbortBecause(String),
    #[error("OOM command not allowed when used memory > 'maxmemory'.")]
    OutOfMemory,
    #[error("NOSCRIPT No matching script. Please use EVAL.")]
    NoScript,
    #[error(
        "ERR Fanout runs no Lua: it knows only the scripts redis-py's Lock, kombu and Celery send (see docs/protocol.md, \"Redis\")"
    )]
    UnknownScript,
    #[error("ERR Number of keys can't be greater than number of args")]
    TooManyKeys,
    #[error("ERR Number of keys can't be negative")]
    NegativeKeys,
    #[error(
        "ERR Can't execute '{0}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    )]
    SubscribedContext(String),
    #[error("NOPROTO unsupported protocol version")]
    NoProto,
    #[error("ERR Protocol version is not an integer or out of range")]
    ProtoNotInteger,
    #[error(
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
    )]
    AuthWithoutPassword,
    #[error("WRONGPASS invalid username-password pair or user is disabled.")]
    WrongPass,
    #[error("ERR Client names cannot contain spaces, newlines or special characters.")]
    ClientName,
    #[error("ERR Unknown option or number of arguments for CONFIG SET - '{0}'")]
    ConfigSet(String),
    #[error("ERR Invalid argument '{value}' for CONFIG SET '{name}' - {why}")]
    ConfigValue {
        name: String,
        value: String,
        why: &'static str,
    },
    #[error("ERR max number of clients reached")]
    MaxClients,
    /// An error from a script's `redis.call`, as Redis 7.0 reports it.
    #[error("{error} script: {sha}, on @user_script:{line}.")]
    InScript {
        error: Box<RedisError>,
        sha: String,
        line: usize,
    },
    #[error("ERR Error running script: {0}")]
    ScriptError(&'static str),
    #[error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")]
    ScriptFlushMode,
    #[error("ERR Fanout refuses a transaction that queues more than 32 MiB of arguments")]
    TransactionTooLarge,
    #[error("ERR Syntax error in HELLO option '{0}'")]
    HelloOption(String),
}

/// Error text as Redis writes it: no CR or LF may reach the wire, so any
/// in a client-supplied name becomes a space.
pub fn sanitize(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// The "with args beginning with:" part of an unknown-command error:
/// quoted arguments, each followed by a space, until 128 bytes are used.
pub fn args_preview(args: &[&[u8]]) -> String {
    let mut preview = String::new();
    for arg in args {
        if preview.len() >= 128 {
            break;
        }
        let room = 128 - preview.len();
        let text = String::from_utf8_lossy(arg);
        let cut: String = if text.len() > room {
            let mut end = room;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_owned()
        } else {
            text.into_owned()
        };
        preview.push('\'');
        preview.push_str(&cut);
        preview.push_str("' ");
    }
    preview
}
