# gatehouse's container image: the single executable (npm run build:binary) on a distroless base
# with glibc and libstdc++ (what Node and the SQLite addon link against), run as a non-root user.
#
#   docker build -t gatehouse:0.1.0 .
#   docker run --rm -v gatehouse-data:/var/lib/gatehouse gatehouse:0.1.0 migrate up --yes -c /etc/gatehouse/gatehouse.yml
#   docker run --rm -p 4466-4469:4466-4469 -v gatehouse-data:/var/lib/gatehouse gatehouse:0.1.0
#
# The configuration lives in /etc/gatehouse (gatehouse.yml and the OPL model namespaces.ts): mount
# a directory over it, as Kubernetes mounts a ConfigMap, and edits apply without a restart.
#
# No container engine was available where this file was written, so the image itself has not
# been built here. What CI tests instead: the same executable, built the same way, runs this
# file's CMD and HEALTHCHECK command lines (test/binary/binary.test.ts).

# Node.js options gatehouse runs with: a young generation twice Node's default, so that a loaded
# server's per-request garbage dies before it is copied (docs/deployment.md#nodejs-options; the
# served benchmarks run with the same options). The executable is built under them too: V8 rejects
# a code cache made under other flags.
ARG NODE_OPTIONS=--max-semi-space-size=32

FROM node:20-bookworm-slim AS build
ARG NODE_OPTIONS
# For better-sqlite3 where no prebuilt addon exists for the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN npm ci && node scripts/build-binary.js /out/gatehouse && mkdir -p /out/data

FROM gcr.io/distroless/cc-debian12:nonroot
ARG NODE_OPTIONS
COPY --from=build /out/gatehouse /usr/local/bin/gatehouse
COPY deploy/gatehouse.yml /etc/gatehouse/gatehouse.yml
COPY namespaces.example.ts /etc/gatehouse/namespaces.ts
COPY --from=build --chown=65532:65532 /out/data /var/lib/gatehouse
USER 65532:65532
WORKDIR /var/lib/gatehouse
ENV NODE_OPTIONS=$NODE_OPTIONS
VOLUME /var/lib/gatehouse
# read (REST and gRPC), write, metrics, OPL
EXPOSE 4466 4467 4468 4469
# Each check starts the executable (0.22 s of CPU measured): every 30 s, Docker's default.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/gatehouse", "status", "-c", "/etc/gatehouse/gatehouse.yml"]
ENTRYPOINT ["/usr/local/bin/gatehouse"]
CMD ["serve", "-c", "/etc/gatehouse/gatehouse.yml"]
