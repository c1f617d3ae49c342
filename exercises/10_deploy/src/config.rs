// Starting code generated from solutions/10_deploy/src/config.rs by `cargo run -- dev sync`.
//! The service's configuration, from the environment, 12-factor style:
//!
//! | Variable    | Unset                  | Accepted                                         |
//! |-------------|------------------------|--------------------------------------------------|
//! | `PORT`      | 8080                   | a whole number from 1 to 65535                   |
//! | `API_KEY`   | no key: the API is open | a bearer token: letters, digits, `-._~+/`, `=` at the end |
//! | `LOG_LEVEL` | `info`                 | `error`, `warn`, `info`, `debug`, `trace`, in any case |
//!
//! Reading is a pure function of the variables' values ([`Config::from_vars`]),
//! so tests try every bad value without touching the process environment. A
//! bad value stops the service at startup with a message naming the variable
//! and what it accepts: never a panic, never a silent default.

use std::fmt;

use subtle::ConstantTimeEq;

/// The port the service listens on when `PORT` is unset.
pub const DEFAULT_PORT: u16 = 8080;

/// The variables the service reads, in the order it reads them.
pub const VARIABLES: [&str; 3] = ["PORT", "API_KEY", "LOG_LEVEL"];

/// Everything the service needs to know before it starts.
#[derive(Debug, Clone)]
pub struct Config {
    pub port: u16,
    /// `None`: every endpoint is open, as in chapters 1 to 9.
    pub api_key: Option<ApiKey>,
    pub log_level: LogLevel,
}

/// Why the service refuses to start with the configuration it was given.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "PORT is {0:?}, which is not a port to listen on: give a whole number from 1 to 65535, \
         such as PORT=8080, or unset PORT to use 8080"
    )]
    BadPort(String),
    #[error(
        "API_KEY is set but empty: set it to the key clients must send, or unset API_KEY to \
         leave the API open"
    )]
    EmptyApiKey,
    #[error(
        "API_KEY holds {0:?}, which cannot travel in an `Authorization: Bearer` header: use \
         only letters, digits and - . _ ~ + /, with = allowed at the end"
    )]
    BadApiKey(char),
    #[error(
        "LOG_LEVEL is {0:?}, which is not a log level: give one of error, warn, info, debug, \
         trace, or unset LOG_LEVEL to use info"
    )]
    BadLogLevel(String),
    #[error("{0} is not valid UTF-8 text: set it again in plain text")]
    NotUnicode(&'static str),
}

impl Config {
    /// Reads the process environment.
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

    /// Reads the configuration from `(name, value)` pairs: the variables that
    /// are set. Any other names are ignored, as the environment holds many.
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
            port: port(get("PORT"))?,
            api_key: api_key(get("API_KEY"))?,
            log_level: log_level(get("LOG_LEVEL"))?,
        })
    }
}

/// The port, from `PORT` (`None` when unset). Port 0 would ask the system for
/// any free port, where nobody, least of all `docker run -p`, would look.
pub fn port(raw: Option<&str>) -> Result<u16, ConfigError> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_PORT);
    };
    match raw.trim().parse::<u16>() {
        Ok(0) | Err(_) => Err(ConfigError::BadPort(raw.to_owned())),
        Ok(port) => Ok(port),
    }
}

/// The key clients must send, from `API_KEY` (`None` when unset: open API).
///
/// An empty value is refused, not read as "no key": `API_KEY=` is far more
/// likely a secret that failed to load than a wish to open the API. The
/// characters are those of RFC 6750's `b64token`, the only ones a client can
/// put after `Bearer `.
pub fn api_key(raw: Option<&str>) -> Result<Option<ApiKey>, ConfigError> {
    // TODO: `None` is `Ok(None)`: no key, an open API. `Some("")` is
    //     `ConfigError::EmptyApiKey`. Otherwise every character before the
    //     trailing `=`s (`raw.trim_end_matches('=')`) must be ASCII
    //     alphanumeric or one of `-._~+/`: return `ConfigError::BadApiKey(c)`
    //     with the first one that is not (`.chars().find(...)`), and
    //     `BadApiKey('=')` when nothing is left before the `=`s. A good key is
    //     `Ok(Some(ApiKey(raw.to_owned())))`.
    todo!("read API_KEY: None when unset, an error when empty or not a bearer token")
}

/// How much the service logs, from `LOG_LEVEL` (`info` when unset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

pub fn log_level(raw: Option<&str>) -> Result<LogLevel, ConfigError> {
    // TODO: `None` is `Ok(LogLevel::Info)`. Otherwise `match` on
    //     `raw.to_ascii_lowercase().as_str()`: "error", "warn", "info", "debug"
    //     and "trace" are the five variants; anything else, the empty text
    //     included, is `ConfigError::BadLogLevel(raw.to_owned())`.
    todo!("read LOG_LEVEL: info when unset, one of five levels, an error otherwise")
}

impl LogLevel {
    /// The matching filter of the `tracing` ecosystem.
    pub fn filter(self) -> tracing::level_filters::LevelFilter {
        use tracing::level_filters::LevelFilter;
        match self {
            LogLevel::Error => LevelFilter::ERROR,
            LogLevel::Warn => LevelFilter::WARN,
            LogLevel::Info => LevelFilter::INFO,
            LogLevel::Debug => LevelFilter::DEBUG,
            LogLevel::Trace => LevelFilter::TRACE,
        }
    }
}

/// The secret clients must present. `Debug` prints no secret, so neither a
/// log line nor a panic message can leak it. It has no `==` either: the
/// only comparison is [`ApiKey::matches`], which takes constant time.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// True when `candidate` is the key. The comparison takes as long for a
    /// key wrong in its last byte as for one wrong in its first, so an
    /// attacker cannot find the key byte by byte by timing the answers.
    /// (Only the length can leak, and a random key's length is no secret.)
    pub fn matches(&self, candidate: &str) -> bool {
        // TODO: compare the bytes with `subtle::ConstantTimeEq`, never `==`:
        //     `self.0.as_bytes().ct_eq(candidate.as_bytes())` gives a `Choice`,
        //     and `.into()` turns it into a `bool`.
        todo!("compare the key in constant time")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}
