//! Configuration from the environment, with defaults that work against a
//! local PostgreSQL out of the box.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/casemark";
/// `casemark --demo` without DATABASE_URL: the demo's own database.
pub const DEMO_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/casemark_demo";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

#[derive(Debug, Clone)]
pub struct Config {
    /// DATABASE_URL.
    pub database_url: String,
    /// CASEMARK_ADDR.
    pub addr: SocketAddr,
    /// CASEMARK_STATIC_DIR: the vendored govuk-frontend and app assets.
    pub static_dir: PathBuf,
    /// CASEMARK_DB_POOL: connections; a few per core serve best.
    pub pool_size: u32,
    /// CASEMARK_PUBLIC_URL: where people reach the service (default
    /// http://CASEMARK_ADDR). Cookies are marked Secure when it is https.
    pub public_url: String,
    /// CASEMARK_TRUSTED_PROXIES: the addresses of the reverse proxies in
    /// front of the app, comma separated. A request from one of them is
    /// from the client its X-Forwarded-For names (docs/deployment.md);
    /// none by default, so the header is ignored.
    pub trusted_proxies: Vec<IpAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("CASEMARK_ADDR '{0}' is not an address like 127.0.0.1:3000")]
    Addr(String),
    #[error("CASEMARK_DB_POOL '{0}' is not a number of connections from 1 to 100")]
    Pool(String),
    #[error(
        "CASEMARK_TRUSTED_PROXIES: '{0}' is not an IP address (give addresses, comma separated)"
    )]
    Proxy(String),
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr_text = var("CASEMARK_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let addr = addr_text
            .parse()
            .map_err(|_| ConfigError::Addr(addr_text.clone()))?;
        let pool_size = match var("CASEMARK_DB_POOL") {
            None => 8,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .ok_or(ConfigError::Pool(v))?,
        };
        let public_url = var("CASEMARK_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_owned();
        let trusted_proxies = var("CASEMARK_TRUSTED_PROXIES")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| a.parse().map_err(|_| ConfigError::Proxy(a.to_owned())))
                    .collect::<Result<Vec<IpAddr>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Config {
            trusted_proxies,
            public_url,
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            addr,
            static_dir: var("CASEMARK_STATIC_DIR").map_or_else(default_static_dir, PathBuf::from),
            pool_size,
        })
    }
}

impl Config {
    pub fn secure_cookies(&self) -> bool {
        // Schemes ignore case (RFC 3986): HTTPS://… is https too.
        self.public_url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    }
}

/// static/ of this checkout when run with cargo, else ./static.
fn default_static_dir() -> PathBuf {
    let from_source = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../static"));
    if from_source.is_dir() {
        from_source
    } else {
        PathBuf::from("static")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_public_url(url: &str) -> Config {
        Config {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            addr: DEFAULT_ADDR.parse().expect("address"),
            static_dir: PathBuf::from("static"),
            pool_size: 8,
            public_url: url.to_owned(),
            trusted_proxies: Vec::new(),
        }
    }

    #[test]
    fn https_is_recognised_whatever_its_case() {
        for url in [
            "https://casemark.example",
            "HTTPS://casemark.example",
            "Https://x",
        ] {
            assert!(with_public_url(url).secure_cookies(), "{url}");
        }
        for url in ["http://127.0.0.1:3000", "httpsx://x", "ftp://x", ""] {
            assert!(!with_public_url(url).secure_cookies(), "{url}");
        }
    }
}
