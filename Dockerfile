# syntax=docker/dockerfile:1
# Build stage: compile the release binary.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
COPY Cargo.toml Cargo.lock app-manifest.yml ./
COPY crates crates
COPY migrations migrations
COPY src src
RUN cargo build --release --locked --bin prwarden && strip target/release/prwarden

# Runtime stage: a slim image with CA certificates, running as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/prwarden --create-home prwarden
COPY --from=build /src/target/release/prwarden /usr/local/bin/prwarden
USER prwarden
WORKDIR /var/lib/prwarden
ENV PORT=3000 \
    DATABASE_URL=sqlite:///var/lib/prwarden/prwarden.db \
    PRWARDEN_KEY_FILE=/var/lib/prwarden/prwarden-app.pem
VOLUME ["/var/lib/prwarden"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ok <&3"]
ENTRYPOINT ["/usr/bin/tini", "--", "prwarden"]
CMD ["serve"]
