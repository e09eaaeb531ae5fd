/** The Kubernetes API server's port: the load balancer's rule and probe, the NSG rule, the endpoint. */
export const API_SERVER_PORT = 6443;

/** The endpoint users reach the API server at, behind the load balancer's public IP. */
export function apiServerEndpoint(ip: string): string {
  return `https://${ip}:${API_SERVER_PORT}`;
}
