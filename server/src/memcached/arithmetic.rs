//! incr and decr: 64-bit unsigned arithmetic on a decimal value.

use fanout_shared::cache::{Arith as Outcome, Cache};

use super::{
    Ctx,
    parse::{KEY_MAX, Request, Tokens, u64_token},
    reply,
};

#[derive(Debug)]
pub struct Arith<'a> {
    pub key: &'a [u8],
    pub delta: u64,
    pub incr: bool,
    pub noreply: bool,
}

pub fn parse<'a>(tokens: &Tokens<'a>) -> Request<'a> {
    let ntokens = tokens.ntokens();
    if ntokens != 4 && ntokens != 5 {
        return Request::Reply("ERROR", false);
    }
    let noreply = tokens.noreply();
    let key = tokens.at(1);
    if key.len() > KEY_MAX {
        return Request::Reply("CLIENT_ERROR bad command line format", noreply);
    }
    let Some(delta) = u64_token(tokens.at(2)) else {
        return Request::Reply("CLIENT_ERROR invalid numeric delta argument", noreply);
    };
    Request::Arith(Arith {
        key,
        delta,
        incr: tokens.at(0) == b"incr",
        noreply,
    })
}

pub fn execute(arith: &Arith<'_>, cache: &mut Cache, ctx: &Ctx, out: &mut Vec<u8>) {
    let outcome = cache.incr_decr(arith.key, arith.delta, arith.incr, ctx.now, ctx.conn);
    if arith.noreply {
        return;
    }
    match outcome {
        Outcome::Value(value, _) => {
            reply::number(out, value);
            out.extend_from_slice(b"\r\n");
        }
        Outcome::NotFound => reply::line(out, "NOT_FOUND"),
        Outcome::NonNumeric => reply::line(
            out,
            "CLIENT_ERROR cannot increment or decrement non-numeric value",
        ),
    }
}
