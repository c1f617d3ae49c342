//! A free port, for a service that is started on this machine to be tested.

use std::io;
use std::net::{Ipv4Addr, TcpListener};

/// A TCP port nothing listens on right now, on any interface: the system
/// picks it when a listener binds port 0 on `0.0.0.0`, and the listener is
/// closed again at once. A service that binds `0.0.0.0`, as one in a
/// container does, can then take it (unless another process is quicker).
///
/// The kit re-exports it as `kit::free_port`; `restlings deploy` uses it for
/// the binary it starts.
pub fn free_port() -> io::Result<u16> {
    TcpListener::bind((Ipv4Addr::UNSPECIFIED, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_port_can_be_bound_on_every_interface() {
        let port = free_port().expect("the system hands out a free port");
        assert_ne!(port, 0, "port 0 means \"any\"; a free port is a real one");
        let bound = TcpListener::bind((Ipv4Addr::UNSPECIFIED, port));
        assert!(
            bound.is_ok(),
            "the port free_port returned ({port}) must be free to bind: {bound:?}"
        );
    }
}
