# syntax=docker/dockerfile:1
#
# ironpanel image: one static binary on a distroless base (no shell, no package manager).
#
#   docker build --build-arg BUILD_SHA=$(git rev-parse HEAD) -t ironpanel .
#   docker run -d -p 127.0.0.1:8080:8080 -v iron-data:/var/lib/iron ironpanel
#
# Stages:
#   frontend  Node 20: npm ci + npm run build            -> /src/frontend/dist
#   build     Debian:  scripts/bootstrap, CMake, unit tests -> /out/ironpanel (static)
#   runtime   distroless/static nonroot: /ironpanel only (plus the empty, nonroot-owned
#             mount point of the data volume)
#
# RUNTIME_IMAGE is an ARG so that a local stand-in base can be used where the registry is
# unreachable (tests/system/container_run.sh builds the runtime stage that way).
# Cache mounts need BuildKit (docker >= 23 default) or buildah/podman.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG BUILD_IMAGE=debian:bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS frontend
WORKDIR /src/frontend
# Dependencies first: this layer is reused until package*.json change.
COPY frontend/package.json frontend/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# ---------------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
ARG BUILD_SHA=unknown
WORKDIR /src
# Keep downloaded .debs in the cache mount instead of deleting them after each install.
RUN rm -f /etc/apt/apt.conf.d/docker-clean && \
    echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache
# The project's own bootstrap installs the toolchain, fetches cpp-httplib and builds a static
# libpq (PostgreSQL's client, ~3 minutes). Only the
# script is copied here, so this (slow) layer is reused until the script changes.
# frontend/ is not in the stage yet, so bootstrap skips npm.
COPY scripts/bootstrap scripts/bootstrap
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    scripts/bootstrap --build-only
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY resources/ resources/
COPY src/ src/
COPY tests/ tests/
# CMake embeds frontend/dist, so it must be in place before cmake runs;
# IRON_BUILD_FRONTEND=OFF embeds this prebuilt dist instead of running npm again.
COPY --from=frontend /src/frontend/dist frontend/dist
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DIRON_BUILD_FRONTEND=OFF \
      "-DIRON_BUILD_SHA=${BUILD_SHA}" && \
    cmake --build build && \
    ctest --test-dir build -L unit --output-on-failure --no-tests=error && \
    install -D -m 0755 -s build/ironpanel /out/ironpanel && \
    file /out/ironpanel | grep -Eq 'statically linked|static-pie linked' && \
    /out/ironpanel version && \
    install -d -m 0700 /out/data

# ---------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
ARG BUILD_SHA=unknown
ARG VERSION=0.1.0
ARG SOURCE_URL=
LABEL org.opencontainers.image.title="ironpanel" \
      org.opencontainers.image.description="ironpanel: REST API and web console in one static binary" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.revision="${BUILD_SHA}" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/ironpanel /ironpanel
# The volume's mount point must exist and belong to the runtime user: a fresh named volume
# takes its ownership from it. Without it the volume is root-owned and not writable.
COPY --from=build --chown=65532:65532 /out/data /var/lib/iron
USER 65532:65532
ENV IRON_LISTEN=0.0.0.0:8080 IRON_DATA_DIR=/var/lib/iron
VOLUME /var/lib/iron
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["/ironpanel", "healthcheck"]
ENTRYPOINT ["/ironpanel"]
CMD ["serve"]
