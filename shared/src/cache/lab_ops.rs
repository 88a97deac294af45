//! The cache lab's hands-on operations (`cache_snapshot`, `cache_get`,
//! `cache_set`, `cache_delete`, `cache_touch`, `cache_flush`,
//! `cache_limit`) applied to one node's [`Cache`], with the frame that
//! answers each.
//!
//! Two drivers answer these frames: the server, for its real memcached
//! nodes, and the browser's offline model. Both find the node their own way
//! (a cluster behind locks, a vector in a `RefCell`) and then hand the
//! frame to [`apply`], so a learner sees the same outcome, and the same
//! refusal, whichever one answered.

use super::{Cache, ConnId, KEY_MAX_LENGTH, StoreMode, StoreOutcome, expiry};
use crate::protocol::{CacheFrame, ServerFrame};

/// The smallest memory limit the lab may set on a node.
pub const MIN_LIMIT_BYTES: u64 = 1024;

/// A request the lab refuses, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub field: &'static str,
}

impl Refusal {
    fn new(message: impl Into<String>, field: &'static str) -> Refusal {
        Refusal {
            message: message.into(),
            field,
        }
    }

    /// For a frame [`apply`] does not answer, when a driver has nothing
    /// better to say.
    pub fn not_a_lab_operation() -> Refusal {
        Refusal::new("not a cache lab operation", "type")
    }

    /// The `error` frame a server sends for it.
    pub fn into_frame(self) -> ServerFrame {
        ServerFrame::Error {
            message: self.message,
            field: Some(self.field.into()),
            refusal: None,
            supported: None,
            id: None,
        }
    }
}

/// The node a per-node operation addresses, or `None` if `frame` is not
/// one of the operations [`apply`] answers.
pub fn addressed_node(frame: &CacheFrame) -> Option<usize> {
    match frame {
        CacheFrame::Snapshot(request) => Some(request.node),
        CacheFrame::Get(request) | CacheFrame::Delete(request) => Some(request.node),
        CacheFrame::Set(request) => Some(request.node),
        CacheFrame::Touch(request) => Some(request.node),
        CacheFrame::Flush(request) => Some(request.node),
        CacheFrame::Limit(request) => Some(request.node),
        _ => None,
    }
}

/// memcached's rule for keys: 1 to 250 bytes, no spaces or control
/// characters.
pub fn check_key(key: &str) -> Result<(), Refusal> {
    if key.is_empty() || key.len() > KEY_MAX_LENGTH {
        return Err(Refusal::new(
            format!(
                "a key is 1 to {KEY_MAX_LENGTH} bytes long, this one is {}",
                key.len()
            ),
            "key",
        ));
    }
    if key.bytes().any(|b| b == b' ' || b.is_ascii_control()) {
        return Err(Refusal::new(
            "a key may not contain spaces or control characters",
            "key",
        ));
    }
    Ok(())
}

/// memcached's answer to a store, in the lab's lower-case words.
pub fn store_outcome_name(outcome: &StoreOutcome) -> &'static str {
    match outcome {
        StoreOutcome::Stored(_) => "stored",
        StoreOutcome::NotStored => "not_stored",
        StoreOutcome::Exists => "exists",
        StoreOutcome::NotFound => "not_found",
        StoreOutcome::TooLarge => "too_large",
        StoreOutcome::OutOfMemory => "out_of_memory",
    }
}

/// The `cache_result` frame: `op` is the request's type without `cache_`,
/// `outcome` memcached's answer in lower case.
pub fn result_frame(
    node: usize,
    op: &str,
    key: Option<String>,
    outcome: &str,
    id: Option<u64>,
) -> ServerFrame {
    ServerFrame::CacheResult {
        node,
        op: op.into(),
        key,
        outcome: outcome.into(),
        id,
    }
}

/// Applies a per-node operation to the addressed node's `cache` at unix
/// time `now` on behalf of connection `conn`; `None` when `frame` is not
/// one of these operations (the driver answers the others: listing,
/// watching, restarting, the warm-up).
pub fn apply(
    cache: &mut Cache,
    frame: CacheFrame,
    now: u64,
    conn: ConnId,
) -> Option<Result<ServerFrame, Refusal>> {
    let result = |node, op: &str, key: Option<String>, outcome: &str, id| {
        Ok(result_frame(node, op, key, outcome, id))
    };
    Some(match frame {
        CacheFrame::Snapshot(request) => {
            let snapshot = cache.snapshot(now, request.max_items.unwrap_or(1000));
            Ok(ServerFrame::CacheSnapshot {
                node: request.node,
                items: snapshot.items,
                truncated: snapshot.truncated,
                stats: snapshot.stats,
                id: request.id,
            })
        }
        CacheFrame::Get(request) => check_key(&request.key).map(|()| {
            let found = cache.get(request.key.as_bytes(), now, conn);
            ServerFrame::CacheValue {
                node: request.node,
                found: found.is_some(),
                value: found
                    .as_ref()
                    .map(|item| String::from_utf8_lossy(item.value).into_owned()),
                flags: found.as_ref().map(|item| item.flags),
                cas: found.as_ref().map(|item| item.cas),
                ttl: found.as_ref().and_then(|item| {
                    item.expires_at
                        .map(|_| expiry::remaining(item.expires_at, now) as u64)
                }),
                key: request.key,
                id: request.id,
            }
        }),
        CacheFrame::Set(request) => match check_key(&request.key) {
            Err(refusal) => Err(refusal),
            Ok(()) => {
                let outcome = cache.store(
                    StoreMode::Set,
                    request.key.as_bytes(),
                    request.value.as_bytes(),
                    request.flags,
                    request.ttl,
                    now,
                    conn,
                );
                let outcome = store_outcome_name(&outcome);
                result(request.node, "set", Some(request.key), outcome, request.id)
            }
        },
        CacheFrame::Delete(request) => match check_key(&request.key) {
            Err(refusal) => Err(refusal),
            Ok(()) => {
                let found = cache.delete(request.key.as_bytes(), now, conn);
                let outcome = if found { "deleted" } else { "not_found" };
                let (node, id) = (request.node, request.id);
                result(node, "delete", Some(request.key), outcome, id)
            }
        },
        CacheFrame::Touch(request) => match check_key(&request.key) {
            Err(refusal) => Err(refusal),
            Ok(()) => {
                let found = cache.touch(request.key.as_bytes(), request.ttl, now, conn);
                let outcome = if found { "touched" } else { "not_found" };
                let (node, id) = (request.node, request.id);
                result(node, "touch", Some(request.key), outcome, id)
            }
        },
        CacheFrame::Flush(request) => {
            cache.flush_all(0, now, conn);
            result(request.node, "flush", None, "ok", request.id)
        }
        CacheFrame::Limit(request) => {
            if request.bytes < MIN_LIMIT_BYTES {
                return Some(Err(Refusal::new(
                    format!("bytes must be at least {MIN_LIMIT_BYTES}"),
                    "bytes",
                )));
            }
            cache.set_limit(request.bytes, now, conn);
            result(request.node, "limit", None, "ok", request.id)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CacheKeyRef, CacheLimit, CacheSet};

    fn set(key: &str, value: &str, ttl: i64) -> CacheFrame {
        CacheFrame::Set(CacheSet {
            node: 3,
            key: key.into(),
            value: value.into(),
            ttl,
            flags: 5,
            id: Some(9),
        })
    }

    #[test]
    fn a_set_then_get_answers_with_the_value_flags_and_ttl() {
        let mut cache = Cache::new(1 << 20);
        let stored = apply(&mut cache, set("k", "v", 60), 1_000, 1).unwrap();
        assert!(matches!(
            stored,
            Ok(ServerFrame::CacheResult { node: 3, ref op, ref outcome, id: Some(9), .. })
                if op == "set" && outcome == "stored"
        ));
        let get = CacheFrame::Get(CacheKeyRef {
            node: 3,
            key: "k".into(),
            id: None,
        });
        let Some(Ok(ServerFrame::CacheValue {
            found,
            value,
            flags,
            ttl,
            ..
        })) = apply(&mut cache, get, 1_010, 1)
        else {
            panic!("a cache_value answer");
        };
        assert_eq!(
            (found, value.as_deref(), flags, ttl),
            (true, Some("v"), Some(5), Some(50))
        );
    }

    #[test]
    fn bad_keys_and_small_limits_are_refused_naming_the_field() {
        let mut cache = Cache::new(1 << 20);
        for key in ["", "has space", "tab\there", &"k".repeat(251)] {
            let refused = apply(&mut cache, set(key, "v", 0), 0, 1).unwrap();
            assert_eq!(refused.unwrap_err().field, "key", "{key:?}");
        }
        let limit = CacheFrame::Limit(CacheLimit {
            node: 0,
            bytes: 10,
            id: None,
        });
        let refused = apply(&mut cache, limit, 0, 1).unwrap().unwrap_err();
        assert_eq!(refused.field, "bytes");
        assert_eq!(cache.stats().curr_items, 0, "nothing was stored");
    }

    #[test]
    fn frames_for_the_driver_are_left_to_it() {
        let mut cache = Cache::new(1 << 20);
        let restart = CacheFrame::Restart(crate::protocol::CacheNodeRef { node: 0, id: None });
        assert_eq!(addressed_node(&restart), None);
        assert!(apply(&mut cache, restart, 0, 1).is_none());
        assert_eq!(addressed_node(&set("k", "v", 0)), Some(3));
    }
}
