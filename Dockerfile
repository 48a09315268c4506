# One image for every role: jobhooks controlplane | gateway | sidecar | all.
#   docker build -t jobhooks:0.1.0 .
# test/package/simulateImage.sh runs the same steps without a Docker engine.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its native module from source when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# node-gyp builds against the image's own Node headers rather than downloading them.
RUN if [ -f /usr/local/include/node/node.h ]; then export npm_config_nodedir=/usr/local; fi \
 && npm ci --no-audit --no-fund
COPY . .
# /app holds what `npm pack` packs (test/package/pack.test.ts checks that it runs): the bundled
# command (dist/bin, build/bundle.ts), and the production dependencies, which are only the
# packages the bundle leaves to Node (better-sqlite3's native module built), nothing else.
RUN npm run build \
 && npm pack --ignore-scripts --pack-destination /tmp \
 && mkdir /app \
 && tar -xzf /tmp/jobhooks-*.tgz -C /app --strip-components=1 --no-same-owner \
 && npm prune --omit=dev --no-audit --no-fund \
 && mv node_modules /app/node_modules
# Nothing that only compilers and editors read: type declarations, source maps, and
# better-sqlite3's build tree (its sources, SQLite's, object files) beside the module itself.
RUN cd /app/node_modules \
 && find . -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
 && mv better-sqlite3/build/Release/better_sqlite3.node /tmp/ \
 && rm -rf better-sqlite3/build better-sqlite3/deps better-sqlite3/src \
 && mkdir -p better-sqlite3/build/Release \
 && mv /tmp/better_sqlite3.node better-sqlite3/build/Release/

FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="jobhooks" \
      org.opencontainers.image.description="Calls webhooks when Kubernetes Jobs finish; keeps a busy-counter label on pods." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE_URL}"
# Only node runs here: npm, npx, corepack and yarn are left out.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
      /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ENV NODE_ENV=production
# Owned by root and never written: the root filesystem may be read-only. The SQLite store is a
# mounted volume given by --store (sqlite:/var/lib/jobhooks/jobhooks.db, say).
COPY --from=build /app /app
WORKDIR /app
# Numeric, so that Kubernetes can check runAsNonRoot.
USER 65532:65532
ENTRYPOINT ["node", "--max-semi-space-size=4", "/app/dist/bin/jobhooks.js"]
CMD ["--help"]
