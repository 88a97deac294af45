//! A message broker with acknowledgements, as pure state: what the
//! chapter says its π program lacks ("guaranteed delivery, persistence of
//! messages that cannot be handled yet, flow control for slow consumers").
//!
//! It follows RabbitMQ's model where RabbitMQ defines the rule (queues,
//! prefetch, ack/nack/reject, redelivery when a connection closes,
//! delivery limits and dead letters, durable queues and persistent
//! messages, publisher confirms) and Celery's where Celery does (when a
//! worker acknowledges, retries with countdown and back-off, task states,
//! the Redis transport's visibility timeout). `docs/design/reliability.md`
//! says which rule is whose, and which were compared with a real
//! `rabbitmq-server` 3.10 (`shared/tests/rabbitmq.rs`, "Compared with the
//! real systems").
//!
//! Nothing here knows about time passing or networks: the simulator
//! (`sim/broker_net.rs`) moves frames between client nodes and broker
//! nodes and calls these with the current time.

pub mod client;
pub mod consumer;
pub mod facts;
pub mod idempotency;
pub mod ledger;
pub mod message;
pub mod persist;
pub mod queue;
pub mod results;
pub mod retry;
pub mod server;

pub use facts::{AckMode, Guarantee, OnFailure};
pub use ledger::{Ledger, LedgerSummary, Outcome, QueueLedger, TaskRecord};
pub use message::{ConnKey, Message, Tag, TaskBody, TaskId};
pub use queue::{Overflow, QueueSpec};
pub use results::TaskState;
pub use retry::RetryPolicy;
pub use server::{Broker, BrokerSpec, Fate, Refusal, Transport};
