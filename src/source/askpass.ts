/**
 * The askpass program git runs for http(s) credentials. It holds no secret: each git call carries its
 * own in its environment, with the origin they were chosen for. git asks again, naming the new host,
 * when a redirect takes it elsewhere; the script then answers nothing, so credentials chosen for one
 * origin never reach another.
 */
export const ASKPASS_SCRIPT = `#!/bin/sh
# Written by Capstan: answers git's credential prompts from the environment of that one git call,
# and only for the origin they were chosen for (CAPSTAN_GIT_ORIGIN).
case "$1" in
  "Username for '"*) field=user ;;
  "Password for '"*) field=pass ;;
  *) exit 1 ;;
esac
# "Password for 'https://user@host:port': " -> https://host:port
asked=\${1#*\\'}
asked=\${asked%\\'*}
scheme=\${asked%%://*}
rest=\${asked#*://}
authority=\${rest%%/*}
host=\${authority##*@}
want=$(printf '%s' "\${CAPSTAN_GIT_ORIGIN:-}" | tr 'A-Z' 'a-z')
got=$(printf '%s://%s' "$scheme" "$host" | tr 'A-Z' 'a-z')
if [ -z "$want" ] || [ "$want" != "$got" ]; then
  printf 'capstan: no credentials for %s\\n' "$got" >&2
  exit 1
fi
if [ "$field" = user ]; then
  printf '%s\\n' "\${CAPSTAN_GIT_USERNAME:-x-access-token}"
else
  printf '%s\\n' "\${CAPSTAN_GIT_PASSWORD:-}"
fi
`;
