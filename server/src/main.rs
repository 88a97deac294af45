//! `fanout`: the command-line entry point.
//!
//! `fanout serve` runs the whole playground (UI, WebSocket protocol, and the
//! services later lessons add). This file only parses flags, sets up logging
//! and turns start-up failures into one readable line; the work lives in the
//! library so tests can drive it.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use fanout_server::{ServeConfig, StartError};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "fanout",
    version,
    about = "A teaching playground for caches and message queues"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the playground: the browser app, `/ws` and the live services.
    // Boxed: its flags outweigh `sim`'s many times over.
    Serve(Box<ServeConfig>),
    /// Run a message-pattern scenario on virtual time and summarise it.
    Sim(fanout_server::sim_cli::SimArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    match cli.command {
        Command::Serve(config) => serve(*config),
        Command::Sim(args) => fanout_server::sim_cli::main(args),
    }
}

fn serve(config: ServeConfig) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("fanout: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let server = fanout_server::start(config).await?;
        let shutdown = fanout_server::shutdown_signal();
        // Tests start the server on port 0 and read the real addresses here;
        // the "serving on" line comes last, once everything is bound.
        for (id, addr) in server.cache_node_addrs().iter().enumerate() {
            println!("memcached node {id} on {addr}");
        }
        if let Some(addr) = server.redis_addr() {
            println!("redis node on {addr}");
        }
        match server.kept() {
            fanout_server::Kept::In {
                file,
                rooms,
                messages,
            } => println!(
                "durable rooms kept in {} ({rooms} rooms with {messages} messages recovered)",
                file.display()
            ),
            fanout_server::Kept::Nothing(why) => println!("durable rooms not kept: {why}"),
        }
        println!("Fanout is serving on http://{}/", server.http_addr());
        server.run_until(shutdown).await;
        Ok::<(), StartError>(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("fanout: {error}");
            ExitCode::FAILURE
        }
    }
}
