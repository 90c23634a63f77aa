# Build: docker build -t chitieu .
# Run:   docker run -p 8080:8080 -e CHITIEU_LISTEN=0.0.0.0:8080 -v chitieu-data:/data chitieu

FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p chitieu

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin chitieu \
    && mkdir -p /data \
    && chown chitieu:chitieu /data
COPY --from=builder /src/target/release/chitieu /usr/local/bin/chitieu
WORKDIR /data
USER chitieu
ENV DATABASE_URL=sqlite:///data/chitieu.db \
    CHITIEU_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["chitieu"]
CMD ["serve"]
