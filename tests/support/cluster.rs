//! A throwaway PostgreSQL cluster of a test's own, made with the installed
//! server's initdb and pg_ctl in a temporary directory on a free port, so a
//! test can stop and start the database under a running app. Removed when
//! dropped.

use std::path::PathBuf;
use std::process::{Command, Stdio};

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
}

/// The newest installed PostgreSQL's bin directory (Debian keeps each
/// major version under /usr/lib/postgresql/<version>/bin).
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries under /usr/lib/postgresql (see README)")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    found.sort();
    found.pop().expect("an installed PostgreSQL server").1
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Cluster {
    /// initdb, then start.
    pub fn start() -> Cluster {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir =
            std::env::temp_dir().join(format!("casemark-cluster-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cluster directory");
        let cluster = Cluster {
            dir,
            bin: bin_dir(),
            port,
        };
        if running_as_root() {
            // PostgreSQL refuses to run as root: the cluster belongs to the
            // postgres account, as the system's own does.
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown the cluster directory to postgres");
        }
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data().display().to_string(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        cluster.up();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// One of the server's tools, run as postgres when we are root
    /// (PostgreSQL refuses to run as root).
    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let output = self
            .command(tool)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {tool}: {e}"));
        assert!(
            output.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts the server and waits until it accepts connections.
    pub fn up(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c max_connections=40",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        );
    }

    /// Stops the server the way a crash would (no checkpoint, no goodbye to
    /// clients): the next start recovers from the write-ahead log.
    pub fn crash(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// On a database of a cluster of the test's own (migrated, `pool`): a lead
/// with an API token, and the app in-process on that pool acting as them,
/// for the setup a test does before it stops the database.
pub async fn lead_api_on(pool: &sqlx::PgPool) -> (axum_test::TestServer, String) {
    casemark::accounts::add_user(
        pool,
        &casemark::audit::Actor::system("tests"),
        "lead@example.gov.uk",
        None,
        super::PASSWORD,
        casemark::vocab::UserRole::Lead,
    )
    .await
    .expect("lead");
    let token = casemark::accounts::create_token_for(pool, "lead@example.gov.uk", "tests")
        .await
        .expect("token");
    let static_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static");
    let mut server = axum_test::TestServer::new(casemark::router(
        casemark::AppState::new(pool.clone()),
        &static_dir,
    ));
    server.add_header("authorization", format!("Bearer {token}"));
    (server, token)
}
