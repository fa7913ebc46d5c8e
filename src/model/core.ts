/**
 * The core Kubernetes objects the data plane reads, reduced to the fields Switchyard uses.
 * They keep every other field they arrived with.
 */
import type { KubeObject, ObjectMeta } from '../load/load.js';

export interface Namespace extends KubeObject {
  kind: 'Namespace';
}

export interface ServicePort {
  name?: string;
  protocol: 'TCP' | 'UDP' | 'SCTP'; // default TCP
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  kind: 'Service';
  spec: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    ports?: ServicePort[];
    selector?: Record<string, string>;
    externalName?: string;
    clusterIP?: string;
  };
}

export interface Endpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind?: string; name?: string; namespace?: string };
}

export interface EndpointSlice extends KubeObject {
  kind: 'EndpointSlice';
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: Endpoint[];
  ports?: { name?: string; port?: number; protocol?: string; appProtocol?: string }[];
}

export interface Secret extends KubeObject {
  kind: 'Secret';
  type?: string; // default Opaque
  data?: Record<string, string>; // base64
  stringData?: Record<string, string>;
}

export interface ConfigMap extends KubeObject {
  kind: 'ConfigMap';
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export type CoreObject = Namespace | Service | EndpointSlice | Secret | ConfigMap;
