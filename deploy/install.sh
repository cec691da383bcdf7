#!/usr/bin/env bash
# Installs SendCraft on Debian, or upgrades an installation, from this checkout. Safe to run again:
#   sudo deploy/install.sh            (after `git pull` for an upgrade)
# What it does: creates the `sendcraft` system user, publishes the app (Release) into /opt/sendcraft,
# installs /etc/sendcraft/sendcraft.env from the example only if it is missing, installs the systemd unit
# and the Nginx site, checks Nginx's configuration, restarts the service and waits for /healthz.
# Optional environment:
#   SENDCRAFT_SERVER_NAME=mail.example.com  Nginx server_name when the site is first installed (default: any name)
#   SENDCRAFT_NGINX_OVERWRITE=1             replace an existing Nginx site file (otherwise it is kept; see .dist)
#   SENDCRAFT_HEALTH_TIMEOUT=180            seconds to wait for /healthz after the restart
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
app_dir=/opt/sendcraft
conf_dir=/etc/sendcraft
env_file=$conf_dir/sendcraft.env
data_dir=/var/lib/sendcraft
unit=/etc/systemd/system/sendcraft.service
site=/etc/nginx/sites-available/sendcraft.conf
health=http://127.0.0.1:5000/healthz

log() { printf '==> %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root: sudo $0"
[ -f "$repo/SendCraft.Web/SendCraft.Web.csproj" ] || die "run it from a SendCraft checkout ($repo has no SendCraft.Web)"
command -v dotnet >/dev/null || die "the .NET 10 SDK is needed to publish: https://learn.microsoft.com/dotnet/core/install/linux-debian"
dotnet=$(readlink -f "$(command -v dotnet)")
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- Debian packages: Nginx in front, curl for the health check, npm for the front-end libraries the build copies --
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
command -v npm >/dev/null || missing+=(npm)
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  log "Installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin"

# --- User, folders, settings file ------------------------------------------------------------------------------
if ! getent passwd sendcraft >/dev/null; then
  log "Creating system user sendcraft"
  useradd --system --user-group --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin sendcraft
fi
install -d -o sendcraft -g sendcraft -m 0750 "$data_dir"
install -d -o root -g sendcraft -m 0750 "$conf_dir"
new_env=0
if [ ! -f "$env_file" ]; then
  log "Installing $env_file from the example"
  install -o root -g sendcraft -m 0640 "$repo/deploy/sendcraft.env.example" "$env_file"
  new_env=1
fi

# --- The certificate that encrypts the Data Protection keys ------------------------------------------------------
# The keys live in the database; this certificate does not, so a database dump alone cannot decrypt the stored SMTP
# passwords and DKIM keys. An existing certificate is never replaced: the keys in the database need that one.
cert_setting=$(grep -E '^[[:space:]]*DataProtection__CertificatePath=' "$env_file" | tail -n 1 | cut -d= -f2- || true)
cert=${cert_setting:-$conf_dir/dataprotection.pfx}
if [ ! -e "$cert" ]; then
  log "Creating the Data Protection certificate $cert: back it up apart from the database; without it the stored secrets are lost"
  cert_tmp=$(mktemp -d /tmp/sendcraft-cert.XXXXXX)
  (
    umask 077
    openssl req -x509 -newkey rsa:3072 -nodes -days 36500 -subj "/CN=SendCraft Data Protection ($(hostname))" \
      -addext "keyUsage=critical,keyEncipherment,dataEncipherment" \
      -keyout "$cert_tmp/key.pem" -out "$cert_tmp/cert.pem" 2>/dev/null
    openssl pkcs12 -export -in "$cert_tmp/cert.pem" -inkey "$cert_tmp/key.pem" -name "SendCraft Data Protection" \
      -passout pass: -out "$cert_tmp/dataprotection.pfx"
  ) || { rm -rf "$cert_tmp"; die "openssl could not create the certificate"; }
  [ -d "$(dirname "$cert")" ] || install -d -o root -g sendcraft -m 0750 "$(dirname "$cert")"
  install -o sendcraft -g sendcraft -m 0600 "$cert_tmp/dataprotection.pfx" "$cert.new"
  rm -rf "$cert_tmp"
  # ln fails instead of replacing a certificate that appeared meanwhile.
  ln "$cert.new" "$cert" || { rm -f "$cert.new"; die "$cert appeared while it was being created; left as it is"; }
  rm -f "$cert.new"
fi
if [ -z "$cert_setting" ]; then
  log "Adding DataProtection__CertificatePath=$cert to $env_file"
  printf '\n# The certificate that encrypts the Data Protection keys in the database (created by install.sh; back it up\n# apart from the database: without it the stored SMTP passwords and DKIM keys cannot be decrypted).\nDataProtection__CertificatePath=%s\n' "$cert" >>"$env_file"
fi

# --- Publish into a new folder; the running release stays untouched until the restart below ----------------------
# The build runs as the checkout's owner, so root does not leave root-owned bin/, obj/ and node_modules/ behind.
owner=$(stat -c %U "$repo")
build_out=$(mktemp -d /tmp/sendcraft-publish.XXXXXX)
trap 'rm -rf "$build_out" "$app_dir.new"' EXIT
log "Publishing SendCraft.Web (Release) as $owner"
if [ "$owner" = root ]; then
  "$dotnet" publish "$repo/SendCraft.Web/SendCraft.Web.csproj" -c Release -o "$build_out" --nologo -v quiet
else
  chown "$owner" "$build_out"
  runuser -u "$owner" -- env HOME="$(getent passwd "$owner" | cut -d: -f6)" PATH="$PATH" \
    "$dotnet" publish "$repo/SendCraft.Web/SendCraft.Web.csproj" -c Release -o "$build_out" --nologo -v quiet
fi
if [ ! -f "$build_out/SendCraft.Web.dll" ] || [ ! -d "$build_out/wwwroot/lib" ]; then
  die "publish did not produce SendCraft.Web.dll and wwwroot/lib"
fi
rm -rf "$app_dir.new"
cp -a "$build_out" "$app_dir.new"
# The service reads its code but cannot change it.
chown -R root:root "$app_dir.new"
chmod -R u=rwX,go=rX "$app_dir.new"

# --- systemd unit (always ours; local changes belong in `systemctl edit sendcraft`) --------------------------------
log "Installing $unit"
sed "s|/usr/bin/dotnet|$dotnet|" "$repo/deploy/sendcraft.service" >"$unit.tmp"
chmod 0644 "$unit.tmp"
mv "$unit.tmp" "$unit"
systemctl daemon-reload
systemctl enable sendcraft.service >/dev/null 2>&1

# --- Nginx site (installed once; an edited copy, e.g. with TLS from certbot, is kept) ------------------------------
shipped_site=$(mktemp)
sed "/^[[:space:]]*#/!s|server_name _;|server_name ${SENDCRAFT_SERVER_NAME:-_};|" "$repo/deploy/nginx/sendcraft.conf" >"$shipped_site"
if [ ! -f "$site" ] || [ "${SENDCRAFT_NGINX_OVERWRITE:-0}" = 1 ]; then
  log "Installing $site"
  install -m 0644 "$shipped_site" "$site"
elif ! cmp -s "$shipped_site" "$site"; then
  install -m 0644 "$shipped_site" "$site.dist"
  log "Kept your $site; this release's version is $site.dist (compare them, or rerun with SENDCRAFT_NGINX_OVERWRITE=1)"
fi
rm -f "$shipped_site"
ln -sfn "$site" /etc/nginx/sites-enabled/sendcraft.conf
# Debian's welcome site is the default server for any name; with `server_name _` ours must take its place.
if grep -q '^[[:space:]]*server_name _;' "$site" && [ -L /etc/nginx/sites-enabled/default ]; then
  log "Disabling Nginx's default site (sites-enabled/default) so requests for any host name reach SendCraft"
  rm /etc/nginx/sites-enabled/default
fi
nginx -t
systemctl enable nginx >/dev/null 2>&1
systemctl reload-or-restart nginx

# --- Settings must be filled in before the first start ------------------------------------------------------------
if grep -v '^[[:space:]]*#' "$env_file" | grep -q 'CHANGE-ME'; then
  rm -rf "$app_dir.previous"
  [ -d "$app_dir" ] && mv "$app_dir" "$app_dir.previous"
  mv "$app_dir.new" "$app_dir"
  log "Installed, not started: set the database connection string in $env_file (see docs/deploy.md), then run $0 again."
  [ "$new_env" = 1 ] && exit 0
  exit 1
fi

# --- Swap releases and restart ------------------------------------------------------------------------------------
# Stop before swapping so the old process never loads an assembly from the new release.
log "Restarting sendcraft.service (the previous release stays in $app_dir.previous)"
systemctl stop sendcraft.service
rm -rf "$app_dir.previous"
[ -d "$app_dir" ] && mv "$app_dir" "$app_dir.previous"
mv "$app_dir.new" "$app_dir"
systemctl start sendcraft.service

# Start-up applies database migrations before Kestrel listens, so this can take a while after an upgrade.
timeout=${SENDCRAFT_HEALTH_TIMEOUT:-180}
for _ in $(seq 1 "$timeout"); do
  if answer=$(curl -fsS --max-time 2 "$health" 2>/dev/null); then
    log "SendCraft is up: $answer"
    exit 0
  fi
  [ "$(systemctl show -p ActiveState --value sendcraft.service)" = failed ] && break
  sleep 1
done
journalctl -u sendcraft.service -n 80 --no-pager >&2 || true
die "no healthy answer from $health within $timeout s. To go back: systemctl stop sendcraft; mv $app_dir $app_dir.failed; mv $app_dir.previous $app_dir; systemctl start sendcraft"
