//! The `casemark` binary: configuration → database → migrations → serve.

use std::process::ExitCode;

use casemark::config::Config;
use casemark::{AppState, db, demo, router};
use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Probation inspection case marking. With no arguments, serves the app.
#[derive(Debug, Parser)]
#[command(name = "casemark", version)]
struct Cli {
    /// Load a demo inspection (54 marked cases) before serving, so the
    /// dashboard has something to show. Safe to repeat.
    #[arg(long)]
    demo: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("casemark: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let pool = db::prepare(&config.database_url, config.pool_size)
        .await
        .map_err(|e| match e {
            db::StartupError::Unreachable { .. } => format!(
                "{e}\n\nStart a PostgreSQL server and try again, for example:\n  \
                 docker compose up -d db                       (uses docker-compose.yml)\n  \
                 sudo pg_ctlcluster 15 main start              (a local Debian install)\n\
                 or set DATABASE_URL to a server you can reach."
            ),
            other => other.to_string(),
        })?;
    let state = AppState::new(pool);
    if cli.demo {
        let id = demo::load(&state).await.map_err(|e| e.to_string())?;
        tracing::info!(
            "demo inspection loaded: http://{}/inspections/{id}/ratings",
            config.addr
        );
    }
    let listener = TcpListener::bind(config.addr).await.map_err(|e| {
        format!(
            "cannot listen on {}: {e} (set CASEMARK_ADDR to another address)",
            config.addr
        )
    })?;
    tracing::info!("casemark listening on http://{}", config.addr);
    axum::serve(listener, router(state, &config.static_dir))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    tracing::info!("casemark stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
