# Production image: UI built with Node, binary with Go, run on distroless.
# Production mode only: MongoDB and Meilisearch are separate services
# (docker-compose.yml); nothing embedded starts in the container.

FROM node:20-bookworm-slim AS ui
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/web/dist ./web/dist
RUN CGO_ENABLED=0 go build -tags ferretdb_no_sqlite,embedui -trimpath -ldflags "-s -w" -o /out/lianzhu ./cmd/lianzhu \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lianzhu /lianzhu
# The data dir holds only the first admin's password file in production;
# it must belong to the nonroot user (uid 65532) before the volume mounts.
COPY --from=build --chown=65532:65532 /out/data /data
ENV LIANZHU_ADDR=:8080 \
    LIANZHU_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 CMD ["/lianzhu", "health"]
ENTRYPOINT ["/lianzhu"]
CMD ["serve"]
