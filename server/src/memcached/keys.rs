//! delete and touch: commands on one key that carry no data.

use fanout_shared::cache::Cache;

use super::{
    Ctx,
    parse::{KEY_MAX, Request, Tokens, i32_token},
    reply,
};

#[derive(Debug)]
pub struct Delete<'a> {
    pub key: &'a [u8],
    pub noreply: bool,
}

#[derive(Debug)]
pub struct Touch<'a> {
    pub key: &'a [u8],
    pub exptime: i64,
    pub noreply: bool,
}

pub fn parse_delete<'a>(tokens: &Tokens<'a>) -> Request<'a> {
    let ntokens = tokens.ntokens();
    if !(3..=5).contains(&ntokens) {
        return Request::Reply("ERROR", false);
    }
    let noreply = tokens.noreply();
    if ntokens > 3 {
        // The old "delete <key> 0" form is still accepted; nothing else.
        let hold_is_zero = tokens.at(2) == b"0";
        let valid = (ntokens == 4 && (hold_is_zero || noreply))
            || (ntokens == 5 && hold_is_zero && noreply);
        if !valid {
            return Request::Reply(
                "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]",
                noreply,
            );
        }
    }
    let key = tokens.at(1);
    if key.len() > KEY_MAX {
        return Request::Reply("CLIENT_ERROR bad command line format", noreply);
    }
    Request::Delete(Delete { key, noreply })
}

pub fn parse_touch<'a>(tokens: &Tokens<'a>) -> Request<'a> {
    let ntokens = tokens.ntokens();
    if ntokens != 4 && ntokens != 5 {
        return Request::Reply("ERROR", false);
    }
    let noreply = tokens.noreply();
    let key = tokens.at(1);
    if key.len() > KEY_MAX {
        return Request::Reply("CLIENT_ERROR bad command line format", noreply);
    }
    let Some(exptime) = i32_token(tokens.at(2)) else {
        return Request::Reply("CLIENT_ERROR invalid exptime argument", noreply);
    };
    Request::Touch(Touch {
        key,
        exptime: i64::from(exptime),
        noreply,
    })
}

pub fn execute_delete(delete: &Delete<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let found = cache.delete(delete.key, ctx.now, ctx.conn);
    if !delete.noreply {
        reply::line(out, if found { "DELETED" } else { "NOT_FOUND" });
    }
}

pub fn execute_touch(touch: &Touch<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let found = cache.touch(touch.key, touch.exptime, ctx.now, ctx.conn);
    if !touch.noreply {
        reply::line(out, if found { "TOUCHED" } else { "NOT_FOUND" });
    }
}
