//! The service's configuration, from the environment: chapter 10's
//! variables, plus the database and a key read from a file.
//!
//! | Variable       | Unset                   | Accepted                                  |
//! |----------------|-------------------------|-------------------------------------------|
//! | `DATABASE_URL` | refused: no database    | `postgres://user:password@host:port/name` |
//! | `PORT`         | 8080                    | a whole number from 1 to 65535            |
//! | `API_KEY`      | no key: the API is open | a bearer token (chapter 10)               |
//! | `API_KEY_FILE` | no key file             | a file holding the key, as an orchestrator mounts a secret |
//! | `LOG_LEVEL`    | `info`                  | `error`, `warn`, `info`, `debug`, `trace` |
//!
//! `API_KEY_FILE` is the usual convention for secrets mounted as files
//! (Docker Swarm and Kubernetes put them under `/run/secrets/`): the key
//! never shows in `docker inspect` or in the process's environment. Setting
//! both `API_KEY` and `API_KEY_FILE` is refused: there would be no telling
//! which key the operator meant.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use deploy::{ApiKey, LogLevel};
use sqlx::postgres::PgConnectOptions;

/// The variables the service reads.
pub const VARIABLES: [&str; 5] = [
    "DATABASE_URL",
    "PORT",
    "API_KEY",
    "API_KEY_FILE",
    "LOG_LEVEL",
];

/// Everything the service needs to know before it starts.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub port: u16,
    /// `None`: every endpoint is open.
    pub api_key: Option<ApiKey>,
    pub log_level: LogLevel,
}

// ANCHOR: config_error
/// Why the service refuses to start with the configuration it was given.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "DATABASE_URL is not set: set it to the PostgreSQL database to keep the shop in, \
         such as DATABASE_URL=postgres://shop:secret@localhost:5432/shop"
    )]
    MissingDatabaseUrl,
    #[error(
        "DATABASE_URL is not a PostgreSQL URL ({0}): give one such as \
         postgres://shop:secret@localhost:5432/shop"
    )]
    BadDatabaseUrl(String),
    /// `PORT`, `API_KEY` or `LOG_LEVEL`, refused as chapter 10 refuses them.
    #[error(transparent)]
    Deploy(#[from] deploy::ConfigError),
    #[error("API_KEY and API_KEY_FILE are both set: set only one of them")]
    BothKeys,
    #[error("API_KEY_FILE is {path:?}, which cannot be read ({reason}): mount the secret there")]
    KeyFileUnreadable { path: PathBuf, reason: String },
    #[error("API_KEY_FILE is {path:?}, whose key is refused: {why}")]
    BadKeyFile {
        path: PathBuf,
        why: deploy::ConfigError,
    },
    #[error("{0} is not valid UTF-8 text: set it again in plain text")]
    NotUnicode(&'static str),
}
// ANCHOR_END: config_error

impl Config {
    /// Reads the process environment, and the key file if one is named.
    pub fn from_env() -> Result<Config, ConfigError> {
        let mut vars = Vec::new();
        for name in VARIABLES {
            match std::env::var(name) {
                Ok(value) => vars.push((name, value)),
                Err(std::env::VarError::NotPresent) => {}
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(ConfigError::NotUnicode(name));
                }
            }
        }
        Config::from_vars(vars)
    }

    /// Reads the configuration from `(name, value)` pairs, the variables that
    /// are set; other names are ignored. The only I/O is reading the file
    /// that `API_KEY_FILE` names.
    pub fn from_vars<N, V>(vars: impl IntoIterator<Item = (N, V)>) -> Result<Config, ConfigError>
    where
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let vars: Vec<(N, V)> = vars.into_iter().collect();
        let get = |wanted: &str| {
            vars.iter()
                .find(|(name, _)| name.as_ref() == wanted)
                .map(|(_, value)| value.as_ref())
        };
        Ok(Config {
            database_url: database_url(get("DATABASE_URL"))?,
            port: deploy::config::port(get("PORT"))?,
            api_key: api_key(get("API_KEY"), get("API_KEY_FILE"))?,
            log_level: deploy::config::log_level(get("LOG_LEVEL"))?,
        })
    }
}

// ANCHOR: database_url
/// Where the database is, from `DATABASE_URL`. Unlike `PORT` there is no
/// default: a service that guessed would keep its orders in a database
/// nobody backs up.
pub fn database_url(raw: Option<&str>) -> Result<DatabaseUrl, ConfigError> {
    // ANCHOR: exercise // TODO: `None` is `ConfigError::MissingDatabaseUrl`. A value that does not
    // ANCHOR: exercise //     start with "postgres://" or "postgresql://" is
    // ANCHOR: exercise //     `ConfigError::BadDatabaseUrl(..)`, saying what it starts with instead
    // ANCHOR: exercise //     (never the whole value: a URL can hold a password). Otherwise parse it,
    // ANCHOR: exercise //     `PgConnectOptions::from_str(raw)` (`map_err` its error into
    // ANCHOR: exercise //     `BadDatabaseUrl(error.to_string())`), and return `DatabaseUrl(options)`.
    // ANCHOR: exercise todo!("read DATABASE_URL: required, and a postgres:// URL")
    let raw = raw.ok_or(ConfigError::MissingDatabaseUrl)?;
    let scheme = raw.split_once("://").map(|(scheme, _)| scheme);
    if !matches!(scheme, Some("postgres" | "postgresql")) {
        let starts = match scheme {
            Some(scheme) => format!("its scheme is {scheme:?}, not postgres"),
            None => "it has no scheme://".to_owned(),
        };
        return Err(ConfigError::BadDatabaseUrl(starts));
    }
    PgConnectOptions::from_str(raw)
        .map(DatabaseUrl)
        .map_err(|error| ConfigError::BadDatabaseUrl(error.to_string()))
    // ANCHOR_END: exercise
}
// ANCHOR_END: database_url

// ANCHOR: api_key
/// The key, from `API_KEY` or from the file `API_KEY_FILE` names; neither
/// means no key. The file's last line break is not part of the key: `echo
/// s3cret > key` writes one, and so do most editors.
pub fn api_key(value: Option<&str>, file: Option<&str>) -> Result<Option<ApiKey>, ConfigError> {
    match (value, file) {
        (Some(_), Some(_)) => Err(ConfigError::BothKeys),
        (value, None) => Ok(deploy::config::api_key(value)?),
        (None, Some(path)) => {
            let path = PathBuf::from(path);
            let text =
                std::fs::read_to_string(&path).map_err(|error| ConfigError::KeyFileUnreadable {
                    path: path.clone(),
                    reason: error.to_string(),
                })?;
            let key = text
                .strip_suffix('\n')
                .map(|key| key.strip_suffix('\r').unwrap_or(key))
                .unwrap_or(&text);
            deploy::config::api_key(Some(key)).map_err(|why| ConfigError::BadKeyFile { path, why })
        }
    }
}
// ANCHOR_END: api_key

/// A checked `DATABASE_URL`. Its `Debug` shows no password, so neither a
/// log line nor a panic message can leak it.
#[derive(Clone)]
pub struct DatabaseUrl(PgConnectOptions);

impl DatabaseUrl {
    /// The options to connect with.
    pub fn options(&self) -> PgConnectOptions {
        self.0.clone()
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DatabaseUrl(postgres://{}:<redacted>@{}:{}/{})",
            self.0.get_username(),
            self.0.get_host(),
            self.0.get_port(),
            self.0.get_database().unwrap_or_default()
        )
    }
}

impl PartialEq for DatabaseUrl {
    fn eq(&self, other: &DatabaseUrl) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }
}

impl Eq for DatabaseUrl {}
