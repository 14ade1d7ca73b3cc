# loadplan in a container, for Kubernetes Indexed Jobs (deploy/kubernetes,
# docs/distributed.md):
#   docker build -t REGISTRY/loadplan:TAG --build-arg VERSION=TAG .
# A static binary (no cgo) on distroless: no shell, no package manager,
# running as the image's unprivileged user (uid 65532).

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.buildVersion=${VERSION}" -o /out/loadplan ./cmd/loadplan

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/loadplan /usr/local/bin/loadplan
USER nonroot:nonroot
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/loadplan"]
CMD ["--help"]
