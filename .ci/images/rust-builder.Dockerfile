# The Rust builder image for CI, built FROM the locally imported Debian base by
# .ci/container-engine. Debian's rustc-web and cargo-web packages provide
# /usr/bin/rustc and /usr/bin/cargo (they declare `Provides: rustc, cargo`).
ARG RUNTIME_IMAGE
FROM ${RUNTIME_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends rustc-web cargo-web ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# The host's bundle holds the CA of the network's egress proxy as well as the
# usual roots: without it cargo cannot reach crates.io from inside a build.
COPY host-ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["bash"]
