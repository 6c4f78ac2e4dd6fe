#!/usr/bin/env bash
# Builds the demo images locally, with no registry: FROM scratch plus Debian's
# busybox-static. Skips an image whose recorded recipe digest is unchanged.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || { echo "build-images: $busybox is not static (apt-get install busybox-static)" >&2; exit 1; }

# name:tag  kind  version
images=(
  "capstan-demo/web:v1 web v1"
  "capstan-demo/web:v2 web v2"
  "capstan-demo/web:v3 web v3"
  "capstan-demo/web:broken web broken"
  "capstan-demo/crash:latest crash -"
  "capstan-demo/worker:latest worker -"
)

recipe_digest() {
  { cat "$here/images/$1/"* "$here/images/common/"* "$0"; echo "$2"; sha256sum "$busybox"; } | sha256sum | cut -c1-16
}

build_one() {
  local ref=$1 kind=$2 version=$3 digest ctx
  digest=$(recipe_digest "$kind" "$version")
  if [ "$(docker image inspect -f '{{index .Config.Labels "capstan.dev/recipe"}}' "$ref" 2>/dev/null)" = "$digest" ]; then
    return 0
  fi
  ctx=$(mktemp -d)
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/tmp" "$ctx/rootfs/www/cgi-bin" "$ctx/rootfs/etc"
  cp "$busybox" "$ctx/rootfs/bin/busybox"
  for app in $("$busybox" --list); do
    [ "$app" = busybox ] || ln -s busybox "$ctx/rootfs/bin/$app"
  done
  echo 'root:x:0:0:root:/:/bin/sh' >"$ctx/rootfs/etc/passwd"
  cp "$here/images/$kind/"* "$ctx/rootfs/"
  cp "$here/images/common/http-get" "$ctx/rootfs/bin/http-get"
  chmod +x "$ctx/rootfs/bin/http-get"
  chmod +x "$ctx/rootfs/"*.sh
  if [ "$kind" = web ]; then
    echo "web $version" >"$ctx/rootfs/www/index.html"
    # The broken variant answers / but never /healthz, so readiness never passes.
    [ "$version" = broken ] || echo ok >"$ctx/rootfs/www/healthz"
    mv "$ctx/rootfs/env.cgi" "$ctx/rootfs/www/cgi-bin/env"
    chmod +x "$ctx/rootfs/www/cgi-bin/env"
  fi
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY rootfs/ /
ENV PATH=/bin
LABEL capstan.dev/recipe="$digest" capstan.dev/demo="$kind"
$(cat "$here/images/$kind/Dockerfile.tail")
DOCKERFILE
  rm -f "$ctx/rootfs/Dockerfile.tail"
  DOCKER_BUILDKIT=0 docker build -q -t "$ref" "$ctx" >/dev/null 2>"$ctx/err" || { cat "$ctx/err" >&2; rm -rf "$ctx"; exit 1; }
  rm -rf "$ctx"
  echo "build-images: built $ref" >&2
}

for spec in "${images[@]}"; do
  # shellcheck disable=SC2086
  build_one $spec
done
