//! The requests that check a deployment: one per declared endpoint, plus the
//! health check, in an order a fresh service can answer.

use crate::{Location, Manifest};

/// What a placeholder such as `{id}` becomes in a probe. No resource has id 0,
/// and the course's services answer it with 400 (ids are positive integers),
/// so the answer proves the route exists without reading or changing any data:
/// `DELETE /products/0` deletes nothing, where `DELETE /products/1` would
/// remove a seed.
pub const PLACEHOLDER_VALUE: &str = "0";

/// One request to send to the deployed service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe<'m> {
    pub method: &'m str,
    /// The path as declared, such as `/products/{id}`.
    pub declared: &'m str,
    /// The path to request, such as `/products/0`.
    pub path: String,
    /// True for the health check, which answers without credentials.
    pub open: bool,
    /// Where the endpoint is declared; `None` for the health check when it is
    /// not also listed among the endpoints.
    pub at: Option<Location>,
}

impl Manifest {
    /// The health check first, then reads, then writes, then deletions, so
    /// that even a service that takes the placeholder value as a real id
    /// answers every read before anything is deleted.
    pub fn probes(&self) -> Vec<Probe<'_>> {
        let declared_health = self
            .endpoints
            .iter()
            .find(|endpoint| endpoint.method == "GET" && endpoint.path == self.health);
        let mut probes = vec![Probe {
            method: "GET",
            declared: &self.health,
            path: self.health.clone(),
            open: true,
            at: declared_health.map(|endpoint| endpoint.at),
        }];
        let mut rest: Vec<Probe<'_>> = self
            .endpoints
            .iter()
            .filter(|endpoint| !(endpoint.method == "GET" && endpoint.path == self.health))
            .map(|endpoint| Probe {
                method: &endpoint.method,
                declared: &endpoint.path,
                path: fill_placeholders(&endpoint.path),
                // HEAD of the health path is as harmless as its GET.
                open: endpoint.method == "HEAD" && endpoint.path == self.health,
                at: Some(endpoint.at),
            })
            .collect();
        rest.sort_by_key(|probe| rank(probe.method));
        probes.extend(rest);
        probes
    }
}

fn rank(method: &str) -> u8 {
    match method {
        "GET" | "HEAD" | "OPTIONS" => 0,
        "DELETE" => 2,
        _ => 1,
    }
}

/// `/products/{id}` → `/products/0`.
fn fill_placeholders(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                PLACEHOLDER_VALUE
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
