#!/usr/bin/env bash
# make demo: the whole job on the bundled emulator in one command. Builds the provider and the
# emulator, starts the emulator on loopback, applies examples/demo (widgets in two orgs, promoted
# from staging to production, and a screen pop), prints the outputs and the audit trail, then
# destroys everything and stops the emulator. The emulator's agent desktop shows it all as an
# agent would: the demo's widget hosts are served by its sample apps, so it renders offline.
# The emulator doubles as an OpenTelemetry collector (-otlp), and OTEL_EXPORTER_OTLP_ENDPOINT
# points the provider's telemetry at it, so the demo also lists the spans every widget operation
# and screen pop produced.
#
# With --keep (make demo-desktop) it stops after the apply and keeps the emulator running, with
# the demo applied, until interrupted (Ctrl-C), so a person can look at the desktop.
set -euo pipefail

keep=false
case ${1:-} in
--keep) keep=true ;;
"") ;;
*) echo "usage: $0 [--keep]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
terraform=${TERRAFORM:-${TF_ACC_TERRAFORM_PATH:-$root/.tools/terraform-1.16.2/terraform}}
work=$root/.tools/demo
if [[ ! -x $terraform ]]; then
  echo "demo: no Terraform CLI at $terraform; run 'make tools' first (make demo does)" >&2
  exit 1
fi

rm -rf "$work"
mkdir -p "$work/bin" "$work/run"
echo "==> building the provider and the emulator"
go build -o "$work/bin/terraform-provider-genesys" "$root"
go build -o "$work/bin/genesys-emulator" "$root/cmd/genesys-emulator"

echo "==> starting the emulator on loopback"
# The demo's app hosts, mapped to the emulator's sample apps for the desktop's frames.
host_map='widgets.example.com=samples,*.cloudfront.net=samples,crm.example.com=samples'
"$work/bin/genesys-emulator" -listen 127.0.0.1:0 -activation-delay 300ms -host-map "$host_map" -otlp >"$work/emulator.log" 2>&1 &
emulator_pid=$!
cleanup() {
  kill "$emulator_pid" 2>/dev/null || true
  wait "$emulator_pid" 2>/dev/null || true
}
trap cleanup EXIT
api_url=""
for _ in $(seq 1 100); do
  api_url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/emulator.log" | head -n 1 || true)
  [[ -n $api_url ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n $api_url ]] || { echo "demo: the emulator did not start" >&2; cat "$work/emulator.log" >&2; exit 1; }
head -n 1 "$work/emulator.log"
desktop_url="$api_url/desktop/?org=org-a&agent=agent-1"
echo "agent desktop: $desktop_url (open it to watch the apply; make demo-desktop keeps it up)"

# dev_overrides makes Terraform use the provider just built, with no registry and no init.
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "terraform-genesys/genesys" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$work/terraformrc
export TF_IN_AUTOMATION=1
# The standard OpenTelemetry variable turns the provider's telemetry on; the emulator receives it.
export OTEL_EXPORTER_OTLP_ENDPOINT=$api_url OTEL_SERVICE_NAME=genesys-demo
cp "$root/examples/demo/main.tf" "$work/run/"
color=()
[[ -t 1 ]] || color=(-no-color)
tf() { "$terraform" -chdir="$work/run" "$@"; }
vars=(-var "api_url=$api_url" -var "audit_log_path=$work/audit.jsonl")

echo "==> terraform apply: create and activate in staging, promote to production, pop a screen"
tf apply -auto-approve -input=false -compact-warnings "${color[@]}" "${vars[@]}"
echo "==> terraform plan: nothing to change"
if tf plan -detailed-exitcode -input=false -compact-warnings "${color[@]}" "${vars[@]}" >"$work/plan.txt" 2>&1; then
  echo "No changes: both orgs match the configuration."
else
  cat "$work/plan.txt"; echo "demo: the plan after apply is not empty" >&2; exit 1
fi
echo "==> outputs"
tf output "${color[@]}"
if $keep; then
  echo "==> the demo stays applied: open the agent desktop, Ctrl-C to stop"
  echo "agent desktop: $desktop_url"
  echo "              (org B: $api_url/desktop/?org=org-b&agent=agent-3)"
  wait "$emulator_pid" || true
  exit 0
fi
echo "==> audit trail ($work/audit.jsonl)"
cat "$work/audit.jsonl"
echo "==> terraform destroy"
tf destroy -auto-approve -input=false -compact-warnings "${color[@]}" "${vars[@]}" | tail -n 3
echo "==> telemetry: the operation spans the emulator received over OTLP/HTTP"
spans=$(grep 'msg="otlp span"' "$work/emulator.log" || true)
grep 'name=genesys\.' <<<"$spans" | sed 's/^.*msg="otlp span" //' || echo "(none)"
echo "$(grep -c . <<<"$spans") spans in all, each API request a child of its operation"
echo "==> done: the emulator stops now"
