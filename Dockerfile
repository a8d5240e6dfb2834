# casemark as a container (docs/deployment.md). Docker does not run on the
# development machines: this file is kept correct by reading.
#
# Build:  docker build -t casemark .
# Run:    docker run -e DATABASE_URL=postgres://… -e CASEMARK_PUBLIC_URL=https://… -p 3000:3000 casemark

# --- build: the release binary (templates, migrations and framework files
# are compiled into it) --------------------------------------------------
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY migrations migrations
COPY templates templates
COPY frameworks frameworks
COPY static static
RUN cargo build --release --locked -p casemark

# --- run: the binary and static/ on a slim base, as a user without rights --
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin casemark
WORKDIR /app
COPY --from=build /src/target/release/casemark /usr/local/bin/casemark
COPY --chown=root:root static /app/static
ENV CASEMARK_STATIC_DIR=/app/static \
    CASEMARK_ADDR=0.0.0.0:3000 \
    CASEMARK_LOG_FORMAT=json
USER casemark
EXPOSE 3000
# Ready means the database answers (docs/reliability.md): a load balancer
# and `docker compose` stop sending requests to an instance that is not.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:3000/readyz || exit 1
ENTRYPOINT ["casemark"]
