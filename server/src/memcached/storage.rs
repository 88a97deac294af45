//! set, add, replace, append, prepend, cas: a command line, then a data
//! block of the announced length followed by "\r\n".

use fanout_shared::cache::{Cache, StoreMode, StoreOutcome, item_size};

use super::{
    Ctx,
    parse::{KEY_MAX, Parse, Request, Tokens, flags_token, i32_token, u64_token},
    reply,
};

/// A store whose data block has arrived.
#[derive(Debug)]
pub struct Store<'a> {
    pub mode: StoreMode,
    pub key: &'a [u8],
    pub flags: u32,
    pub exptime: i64,
    /// The value, or `None` when the block did not end in "\r\n".
    pub data: Option<&'a [u8]>,
    pub noreply: bool,
}

/// A store refused before its data: the connection skips `bytes` bytes
/// as they arrive instead of buffering them.
#[derive(Debug)]
pub struct Swallow<'a> {
    pub bytes: usize,
    pub reply: &'static str,
    pub noreply: bool,
    /// A store refused as too large: logged, and for some the key's old
    /// value dropped.
    pub too_large: Option<TooLarge<'a>>,
}

/// A store refused as too large before its data was read.
#[derive(Debug)]
pub struct TooLarge<'a> {
    pub key: std::borrow::Cow<'a, [u8]>,
    pub mode: StoreMode,
    /// memcached drops the old value for `set` and every `ms`, so that a
    /// stale value is not served after the client tried to replace it.
    pub forget: bool,
}

const BAD_FORMAT: &str = "CLIENT_ERROR bad command line format";

/// Parses a storage command line and, once it is all there, its data.
/// `data` is the buffer after the line, which ends at byte `after`.
pub fn parse<'a>(
    tokens: &Tokens<'a>,
    data: &'a [u8],
    after: usize,
    item_size_max: u64,
) -> Parse<'a> {
    let command = tokens.at(0);
    let is_cas = command == b"cas";
    let ntokens = tokens.ntokens();
    let arity_ok = if is_cas {
        ntokens == 7 || ntokens == 8
    } else {
        ntokens == 6 || ntokens == 7
    };
    if !arity_ok {
        return Parse::Done(Request::Reply("ERROR", false), after);
    }
    let noreply = tokens.noreply();
    let refuse = |text| Parse::Done(Request::Reply(text, noreply), after);
    let key = tokens.at(1);
    if key.len() > KEY_MAX {
        return refuse(BAD_FORMAT);
    }
    let (Some(flags), Some(exptime), Some(length)) = (
        flags_token(tokens.at(2)),
        i32_token(tokens.at(3)),
        i32_token(tokens.at(4)),
    ) else {
        return refuse(BAD_FORMAT);
    };
    let mode = match command {
        b"set" => StoreMode::Set,
        b"add" => StoreMode::Add,
        b"replace" => StoreMode::Replace,
        b"append" => StoreMode::Append,
        b"prepend" => StoreMode::Prepend,
        _ => match u64_token(tokens.at(5)) {
            Some(unique) => StoreMode::Cas(unique),
            None => return refuse(BAD_FORMAT),
        },
    };
    if !(0..=i32::MAX - 2).contains(&length) {
        return refuse(BAD_FORMAT);
    }
    let length = length as usize;
    if item_size(key.len(), length) > item_size_max {
        let swallow = Swallow {
            bytes: length + 2,
            reply: "SERVER_ERROR object too large for cache",
            noreply,
            too_large: Some(TooLarge {
                key: std::borrow::Cow::Borrowed(key),
                mode,
                forget: mode == StoreMode::Set,
            }),
        };
        return Parse::Done(Request::Swallow(swallow), after);
    }
    let Some(block) = data.get(..length + 2) else {
        return Parse::Incomplete;
    };
    let value = block.ends_with(b"\r\n").then(|| &block[..length]);
    let store = Store {
        mode,
        key,
        flags,
        exptime: i64::from(exptime),
        data: value,
        noreply,
    };
    Parse::Done(Request::Store(store), after + length + 2)
}

pub fn execute(store: &Store<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let Some(value) = store.data else {
        if !store.noreply {
            reply::line(out, "CLIENT_ERROR bad data chunk");
        }
        return;
    };
    let outcome = cache.store(
        store.mode,
        store.key,
        value,
        store.flags,
        store.exptime,
        ctx.now,
        ctx.conn,
    );
    let text = match outcome {
        StoreOutcome::Stored(_) => "STORED",
        StoreOutcome::NotStored => "NOT_STORED",
        StoreOutcome::Exists => "EXISTS",
        StoreOutcome::NotFound => "NOT_FOUND",
        StoreOutcome::TooLarge => "SERVER_ERROR object too large for cache",
        StoreOutcome::OutOfMemory => "SERVER_ERROR out of memory storing object",
    };
    if !store.noreply {
        reply::line(out, text);
    }
}

pub fn execute_swallow(swallow: &Swallow<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    if let Some(refused) = &swallow.too_large {
        cache.refuse_too_large(
            &refused.key,
            refused.mode,
            refused.forget,
            ctx.now,
            ctx.conn,
        );
    }
    if !swallow.noreply {
        reply::line(out, swallow.reply);
    }
}
