/**
 * The boot script every node runs once (cloud-init `runcmd`). It is the same text for every role:
 * what differs is in /etc/kubeadm-bootstrap/bootstrap.env (public settings, see cloudConfig.ts).
 *
 * Secrets never travel in custom data. The script asks the instance metadata service for a token as
 * the VM's user-assigned identity and reads from Key Vault what that identity may read: the
 * bootstrap token (every node) and the CA material (control-plane nodes only). Reads are retried
 * for RETRY_SECONDS because a fresh role assignment takes minutes to reach Key Vault (401/403
 * meanwhile). Secret files are written with mode 0600 (umask 077, and O_CREAT 0600 for files it
 * creates itself); the kubeadm configuration that carries the token lives in a private directory
 * under /run that is removed on exit, whatever the outcome. Nothing secret is printed: no `set -x`,
 * `kubeadm init --skip-token-print`, and curl reads the Authorization header from a file (never on a
 * command line other processes could see).
 */

export const BOOT_SCRIPT_PATH = '/usr/local/sbin/kubeadm-bootstrap';
export const BOOTSTRAP_ENV_PATH = '/etc/kubeadm-bootstrap/bootstrap.env';
export const KUBEADM_TEMPLATE_PATH = '/etc/kubeadm-bootstrap/kubeadm.yaml.tmpl';
export const BOOTSTRAP_DONE_PATH = '/var/lib/kubeadm-bootstrap/done';

export const BOOT_SCRIPT = `#!/usr/bin/env bash
# Boots this VM into its Kubernetes cluster (rendered by azure-cluster-provisioner).
set -euo pipefail
umask 077
set -a # the settings are exported: write_azure_json's python reads them
# shellcheck source=/dev/null
source ${BOOTSTRAP_ENV_PATH}
set +a

DONE=${BOOTSTRAP_DONE_PATH}
if [[ -e "$DONE" ]]; then exit 0; fi
WORK=$(mktemp -d /run/kubeadm-bootstrap.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) kubeadm-bootstrap[$ROLE]: $*" >&2; }

# retry CMD...: until it succeeds or RETRY_SECONDS pass, backing off from 5 s to 30 s.
retry() {
  local deadline=$(( $(date +%s) + RETRY_SECONDS )) delay=5
  until "$@"; do
    if (( $(date +%s) >= deadline )); then log "giving up after \${RETRY_SECONDS}s: $1"; return 1; fi
    sleep "$delay"
    delay=$(( delay < 30 ? delay * 2 : 30 ))
  done
}

prepare_host() {
  modprobe overlay
  modprobe br_netfilter
  sysctl --system >/dev/null
  swapoff -a
  install -d -m 0755 /etc/containerd
  containerd config default > /etc/containerd/config.toml
  sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml
  grep -q 'SystemdCgroup = true' /etc/containerd/config.toml
  chmod 0644 /etc/containerd/config.toml
  systemctl restart containerd
}

install_kubernetes() {
  install -d -m 0755 /etc/apt/keyrings
  retry curl -fsSL -o "$WORK/release.key" "\${K8S_REPO}Release.key"
  gpg --dearmor --yes -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg "$WORK/release.key"
  chmod 0644 /etc/apt/keyrings/kubernetes-apt-keyring.gpg
  echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] \${K8S_REPO} /" > /etc/apt/sources.list.d/kubernetes.list
  chmod 0644 /etc/apt/sources.list.d/kubernetes.list
  retry apt-get update -q
  local packages=(kubelet kubeadm kubectl)
  if [[ -n "$K8S_APT_VERSION" ]]; then
    packages=("kubelet=$K8S_APT_VERSION" "kubeadm=$K8S_APT_VERSION" "kubectl=$K8S_APT_VERSION")
  fi
  retry env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "\${packages[@]}"
  apt-mark hold kubelet kubeadm kubectl
  systemctl enable kubelet
}

# The API server's name: the internal load balancer inside the VNet, or this node itself once it
# serves the API (an Azure load balancer does not carry a backend's flow back to that backend).
point_endpoint_to() {
  sed -i '/# kubeadm-bootstrap endpoint$/d' /etc/hosts
  echo "$1 $ENDPOINT_HOST # kubeadm-bootstrap endpoint" >> /etc/hosts
}

# A Key Vault token for this VM's user-assigned identity, as an Authorization header file.
imds_token() {
  curl -fsS --noproxy '*' -H Metadata:true -o "$WORK/imds.json" \\
    "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net&msi_res_id=$IDENTITY_RESOURCE_ID" || return 1
  python3 - "$WORK/imds.json" "$WORK/auth-header" "$WORK/tenant" <<'PY' || return 1
import base64, json, os, sys
token = json.load(open(sys.argv[1]))["access_token"]
claims = token.split(".")[1]
tenant = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4))).get("tid", "")
for path, text in ((sys.argv[2], "Authorization: Bearer " + token + "\\n"), (sys.argv[3], tenant)):
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(text)
PY
  rm -f "$WORK/imds.json"
}

# kv_read SECRET value|tag:NAME FILE: a secret's value (or one of its tags) into FILE, mode 0600.
kv_read() {
  curl -fsS -H @"$WORK/auth-header" -o "$WORK/secret.json" "$VAULT_URI/secrets/$1?api-version=7.4" || return 1
  python3 - "$WORK/secret.json" "$2" "$3" <<'PY' || return 1
import json, os, sys
doc = json.load(open(sys.argv[1]))
what = sys.argv[2]
value = doc["value"] if what == "value" else doc.get("tags", {})[what[4:]]
with os.fdopen(os.open(sys.argv[3], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    f.write(value)
os.chmod(sys.argv[3], 0o600)
PY
  rm -f "$WORK/secret.json"
}
kv_fetch() { imds_token && kv_read "$@"; }

fetch_join_token() {
  retry kv_fetch "$SECRET_JOIN_TOKEN" value "$WORK/token"
  if ! grep -Eqx '[a-z0-9]{6}[.][a-z0-9]{16}' "$WORK/token"; then log "the join token in Key Vault is malformed"; return 1; fi
}

fetch_pki() {
  install -d -m 0700 /etc/kubernetes/pki /etc/kubernetes/pki/etcd
  local pair
  for pair in $PKI_FILES; do
    retry kv_fetch "\${pair%%=*}" value "\${pair#*=}"
  done
}

ca_cert_hash() {
  if [[ "$ROLE" == worker ]]; then
    retry kv_fetch "$SECRET_JOIN_TOKEN" "tag:$CA_HASH_TAG" "$WORK/ca-hash"
    cat "$WORK/ca-hash"
  else
    echo "sha256:$(openssl x509 -pubkey -noout -in /etc/kubernetes/pki/ca.crt | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1)"
  fi
}

# kubeadm's configuration with the token, CA hash and version filled in, in the private work dir.
render_kubeadm_config() {
  local hash=$1 version=""
  if grep -q '@KUBERNETES_VERSION@' "$KUBEADM_TEMPLATE"; then version=$(kubeadm version -o short); fi
  if [[ -n "$hash" ]] && ! [[ "$hash" =~ ^sha256:[0-9a-f]{64}$ ]]; then log "malformed CA hash"; return 1; fi
  {
    echo "s|@BOOTSTRAP_TOKEN@|$(cat "$WORK/token")|g"
    echo "s|@CA_CERT_HASH@|$hash|g"
    echo "s|@KUBERNETES_VERSION@|$version|g"
  } > "$WORK/subst.sed"
  sed -f "$WORK/subst.sed" "$KUBEADM_TEMPLATE" > "$WORK/kubeadm.yaml"
  rm -f "$WORK/subst.sed" "$WORK/token"
}

wait_for_api() {
  retry curl -fsk --max-time 5 -o /dev/null "https://$ENDPOINT_HOST:$ENDPOINT_PORT/readyz"
}

# kubeadm join, reset between attempts (a half-done join blocks the next); pki is fetched again after a reset.
join_attempt() {
  if [[ "$ROLE" == joinControlPlane ]]; then fetch_pki; fi
  if kubeadm join --config "$WORK/kubeadm.yaml"; then return 0; fi
  kubeadm reset --force >/dev/null 2>&1 || true
  return 1
}

write_azure_json() {
  python3 - "$WORK/tenant" /etc/kubernetes/azure.json <<'PY'
import json, os, sys
node = os.environ  # the node's bootstrap settings (not app settings)
config = {
    "cloud": "AzurePublicCloud",
    "tenantId": open(sys.argv[1]).read().strip(),
    "subscriptionId": node["CLOUD_SUBSCRIPTION_ID"],
    "resourceGroup": node["CLOUD_RESOURCE_GROUP"],
    "location": node["CLOUD_LOCATION"],
    "vnetName": node["CLOUD_VNET_NAME"],
    "vnetResourceGroup": node["CLOUD_VNET_RESOURCE_GROUP"],
    "subnetName": node["CLOUD_SUBNET_NAME"],
    "securityGroupName": node["CLOUD_NSG_NAME"],
    "securityGroupResourceGroup": node["CLOUD_NSG_RESOURCE_GROUP"],
    "vmType": "standard",
    "loadBalancerSku": "standard",
    "disableOutboundSNAT": True,
    "useManagedIdentityExtension": True,
    "userAssignedIdentityID": node["CLOUD_IDENTITY_ID"],
    "useInstanceMetadata": True,
}
with os.fdopen(os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    json.dump(config, f, indent=2)
PY
}

install_cilium_cli() {
  local arch
  arch=$(dpkg --print-architecture)
  local base="https://github.com/cilium/cilium-cli/releases/download/$CILIUM_CLI_VERSION/cilium-linux-$arch.tar.gz"
  retry curl -fsSL -o "$WORK/cilium.tar.gz" "$base"
  retry curl -fsSL -o "$WORK/cilium.tar.gz.sha256sum" "$base.sha256sum"
  (cd "$WORK" && sed "s| .*|  cilium.tar.gz|" cilium.tar.gz.sha256sum | sha256sum --check --status)
  tar -xzf "$WORK/cilium.tar.gz" -C /usr/local/bin cilium
}

install_addons() {
  export KUBECONFIG=/etc/kubernetes/admin.conf
  case "$CNI" in
    calico)
      retry kubectl apply -f "https://raw.githubusercontent.com/projectcalico/calico/$CNI_VERSION/manifests/calico-vxlan.yaml" ;;
    cilium)
      install_cilium_cli
      retry cilium install --version "$CNI_VERSION" --set ipam.mode=kubernetes --set routingMode=tunnel --set tunnelProtocol=vxlan ;;
  esac
  local manifests="https://raw.githubusercontent.com/kubernetes-sigs/cloud-provider-azure/$CCM_VERSION/examples/out-of-tree"
  retry kubectl apply -f "$manifests/cloud-controller-manager.yaml"
  retry kubectl apply -f "$manifests/cloud-node-manager.yaml"
}

main() {
  local hash
  log "preparing the host"
  prepare_host
  log "installing Kubernetes from $K8S_REPO"
  install_kubernetes
  case "$ROLE" in
    initControlPlane)
      point_endpoint_to 127.0.0.1
      fetch_pki
      fetch_join_token
      render_kubeadm_config ""
      kubeadm init --config "$WORK/kubeadm.yaml" --skip-token-print
      write_azure_json
      install_addons ;;
    joinControlPlane)
      point_endpoint_to "$ENDPOINT_INTERNAL_IP"
      fetch_pki
      fetch_join_token
      hash=$(ca_cert_hash)
      render_kubeadm_config "$hash"
      wait_for_api
      retry join_attempt
      point_endpoint_to 127.0.0.1
      write_azure_json ;;
    worker)
      point_endpoint_to "$ENDPOINT_INTERNAL_IP"
      fetch_join_token
      hash=$(ca_cert_hash)
      render_kubeadm_config "$hash"
      wait_for_api
      retry join_attempt ;;
    *) log "unknown role $ROLE"; exit 1 ;;
  esac
  rm -f "$WORK/kubeadm.yaml" "$WORK/auth-header"
  install -d -m 0700 "$(dirname "$DONE")"
  touch "$DONE"
  log "done"
}

main "$@"
`;
