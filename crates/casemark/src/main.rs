//! The `casemark` binary: configuration → database → migrations → serve, plus
//! the administration commands scripts use to bootstrap a server.

use std::io::Read;
use std::net::SocketAddr;
use std::process::ExitCode;

use casemark::auth::{secret, session};
use casemark::config::Config;
use casemark::vocab::UserRole;
use casemark::{AppState, accounts, db, demo, router};
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// mimalloc returns freed memory to the system where glibc's allocator kept
/// it: docs/architecture.md has the figures.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Probation inspection case marking. With no command, serves the app.
#[derive(Debug, Parser)]
#[command(name = "casemark", version)]
struct Cli {
    /// Load a demo inspection (54 marked cases, six to mark) and its team
    /// before serving, and print how to sign in. Safe to repeat. Without
    /// DATABASE_URL it uses a database of its own, `casemark_demo`; it
    /// refuses one with real users.
    #[arg(long)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the app (the default).
    Serve,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Inspection frameworks as files (docs/frameworks.md).
    Framework {
        #[command(subcommand)]
        command: FrameworkCommand,
    },
}

#[derive(Debug, Subcommand)]
enum FrameworkCommand {
    /// Check a framework file; prints every problem with its line, or
    /// nothing. Needs no database.
    Validate { file: std::path::PathBuf },
    /// Store a framework file as a new version (or replace an unused
    /// draft of the same code).
    Import { file: std::path::PathBuf },
    /// Print a stored framework version as a file.
    Export { code: String },
    /// List the stored framework versions.
    List,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        /// administrator, lead, inspector or viewer: the user's default role.
        #[arg(long)]
        role: UserRole,
        /// Full name (default: the part of the email before @).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print it (only it) on stdout.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "command line")]
        label: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("casemark: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, so that `token create` prints only the token on
/// stdout: one JSON object per line (with the request id of the request it
/// belongs to) for log collectors, or plain text when a person is watching
/// a terminal. CASEMARK_LOG_FORMAT=json or text overrides the guess.
fn init_logs() {
    use std::io::IsTerminal;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = match std::env::var("CASEMARK_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => !std::io::stderr().is_terminal(),
    };
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    if json {
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        logs.init();
    }
}

/// `casemark framework validate FILE`: every problem on its own line of
/// stderr ("FILE:LINE: field: message"), exit status 1 if there are any.
fn validate(path: &std::path::Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match casemark::framework_file::parse(&text) {
        Ok(definition) => {
            eprintln!(
                "casemark: {} is a valid framework file ({} {}, {} standards)",
                path.display(),
                definition.code,
                definition.version,
                definition.standards.len()
            );
            Ok(())
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{}:{}: {}: {}", path.display(), p.line, p.field, p.message);
            }
            Err(format!("{} problems in {}", problems.len(), path.display()))
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    if let Some(Command::Framework {
        command: FrameworkCommand::Validate { file },
    }) = &cli.command
    {
        return validate(file);
    }
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    // The demo's made-up people never share the default database with real
    // ones: without DATABASE_URL it gets a database of its own.
    if cli.demo && std::env::var_os("DATABASE_URL").is_none() {
        config.database_url = casemark::config::DEMO_DATABASE_URL.to_owned();
    }
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
    for code in casemark::framework_import::load_shipped(&pool).await? {
        tracing::info!(framework = %code, "loaded the shipped framework file");
    }
    match cli.command {
        Some(Command::User {
            command: UserCommand::Add { email, role, name },
        }) => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| format!("could not read the password from standard input: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let cli = casemark::audit::Actor::system("command line");
            let id = accounts::add_user(&pool, &cli, &email, name.as_deref(), password, role)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!(
                "casemark: added user {id} ({}, {})",
                casemark::email::EmailKey::of(&email),
                role.code()
            );
            Ok(())
        }
        Some(Command::Token {
            command: TokenCommand::Create { email, label },
        }) => {
            let token = accounts::create_token_for(&pool, &email, &label)
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Some(Command::Framework { command }) => {
            let mut conn = pool.acquire().await.map_err(|e| e.to_string())?;
            match command {
                FrameworkCommand::Validate { file } => validate(&file),
                FrameworkCommand::Import { file } => {
                    let text = std::fs::read_to_string(&file)
                        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                    let cli = casemark::audit::Actor::system("command line");
                    match casemark::framework_import::import(&pool, &cli, &text).await {
                        Ok(imported) => {
                            eprintln!(
                                "casemark: {} framework {} (version id {})",
                                if imported.replaced {
                                    "replaced the draft"
                                } else {
                                    "imported"
                                },
                                imported.code,
                                imported.id
                            );
                            Ok(())
                        }
                        Err(casemark::framework_import::ImportRefusal::Problems(problems)) => {
                            for p in &problems {
                                eprintln!(
                                    "{}:{}: {}: {}",
                                    file.display(),
                                    p.line,
                                    p.field,
                                    p.message
                                );
                            }
                            Err(format!(
                                "{} problems in {}: nothing imported",
                                problems.len(),
                                file.display()
                            ))
                        }
                        Err(e) => Err(e.to_string()),
                    }
                }
                FrameworkCommand::Export { code } => {
                    let definition = db::framework::definition(&mut conn, &code)
                        .await
                        .map_err(|e| e.to_string())?
                        .ok_or_else(|| format!("there is no framework {code}"))?;
                    print!("{}", casemark::framework_file::write(&definition));
                    Ok(())
                }
                FrameworkCommand::List => {
                    for f in db::framework::list(&mut conn)
                        .await
                        .map_err(|e| e.to_string())?
                    {
                        println!(
                            "{}\t{}\t{}\t{} inspections\t{}",
                            f.code, f.version, f.status, f.inspections, f.name
                        );
                    }
                    Ok(())
                }
            }
        }
        Some(Command::Serve) | None => serve(config, pool, cli.demo).await,
    }
}

async fn serve(config: Config, pool: sqlx::PgPool, load_demo: bool) -> Result<(), String> {
    let mut state = AppState::new(pool);
    state.trusted_proxies = std::sync::Arc::new(config.trusted_proxies.clone());
    state.sessions = session::Settings {
        secure_cookies: config.secure_cookies(),
        ..session::Settings::default()
    };
    state.listen_for_auth_changes(&config.database_url);
    state.listen_for_live_changes(&config.database_url);
    if load_demo {
        state.demo = true;
        let id = demo::load(&state).await.map_err(|e| e.to_string())?;
        tracing::info!(
            "demo inspection loaded: {}/inspections/{id}/ratings",
            config.public_url
        );
        // Printed, not logged: this is what a newcomer reads next.
        println!(
            "\nDemo: sign in at {}/sign-in with password {} as",
            config.public_url,
            demo::PASSWORD
        );
        for (email, name, _, role) in demo::TEAM {
            println!("  {email:<32} {name} ({})", role.label());
        }
        println!(
            "Mark a case as an inspector (My cases), and watch {}/inspections/{id}/ratings as the lead.\n",
            config.public_url
        );
    }
    let mut conn = state.pool.acquire().await.map_err(|e| e.to_string())?;
    if db::accounts::count_users(&mut conn)
        .await
        .map_err(|e| e.to_string())?
        == 0
    {
        let token = secret::random_token();
        tracing::warn!(
            "no users yet: create the first administrator at {}/setup?token={token} \
             (or run `casemark user add --email E --role administrator`)",
            config.public_url
        );
        if let Ok(mut slot) = state.setup_token.lock() {
            *slot = Some(token);
        }
    }
    drop(conn);
    let listener = TcpListener::bind(config.addr).await.map_err(|e| {
        format!(
            "cannot listen on {}: {e} (set CASEMARK_ADDR to another address)",
            config.addr
        )
    })?;
    tracing::info!("casemark listening on {}", config.public_url);
    let live = state.live.clone();
    let app = router(state, &config.static_dir).into_make_service_with_connect_info::<SocketAddr>();
    // On SIGTERM the listener closes at once and in-flight requests may
    // finish; a request still running SHUTDOWN_GRACE later (a stalled
    // client, say) is abandoned, its transaction rolled back by PostgreSQL
    // when the connection closes, so the process always exits.
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        // Open event streams end now, or they would hold the shutdown.
        live.close();
        let _ = stopping.send(true);
    });
    let deadline = async {
        let mut stop = stop;
        let _ = stop.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = server => served.map_err(|e| format!("server error: {e}"))?,
        () = deadline => tracing::warn!(
            grace_s = SHUTDOWN_GRACE.as_secs(),
            "requests still running after the grace period: exiting without them"
        ),
    }
    tracing::info!("casemark stopped");
    Ok(())
}

/// How long in-flight requests get to finish after SIGTERM: longer than the
/// request time limit, so only a request stuck outside it is cut off.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(35);

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
