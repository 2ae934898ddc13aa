// The broker's network listeners: MQTT over TCP, TLS (optional mTLS), WebSocket and secure
// WebSocket, each optionally behind PROXY protocol v1/v2 load balancers it trusts.
export { startListener } from './start-listener.ts';
export {
  DEFAULT_LISTENER_OPTIONS,
  LISTENER_NAMES,
  type Accept,
  type ListenerCounters,
  type ListenerName,
  type ListenerOptions,
  type ListenerSpec,
  type ListenerTls,
  type RunningListener,
} from './listener-spec.ts';
export { DEFAULT_WEBSOCKET_PATH, MQTT_SUBPROTOCOL } from './websocket-transport.ts';
export { ListenError, ProxyHeaderError } from './listener-errors.ts';
export { listenerSpecProblems } from './validate-spec.ts';
export { parseProxyHeader, type ProxiedAddress, type ProxyHeaderResult } from './proxy-protocol.ts';
export { parseOriginList } from './allowed-origins.ts';
export { parseCidrList } from './trusted-proxies.ts';
export { REUSE_PORT_PLATFORMS, reusePortSupported } from './reuse-port.ts';
export { describeCertificate, verifiedPeerCertificate } from './peer-certificate.ts';
