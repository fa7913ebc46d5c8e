/**
 * The Ingress API (`networking.k8s.io/v1`) as Switchyard reads it: Ingress and IngressClass,
 * reduced to the fields the translation uses (they keep every other field they arrived with).
 */
import type { KubeObject } from '../load/load.js';

/** `spec.controller` of an IngressClass whose Ingresses Switchyard serves. */
export const INGRESS_CONTROLLER = 'switchyard.dev/ingress-controller';
/** The annotation that makes an IngressClass the default for Ingresses without a class. */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
/** The deprecated class annotation, still read when `spec.ingressClassName` is absent. */
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const NETWORKING_GROUP = 'networking.k8s.io';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface IngressServiceBackend {
  name: string;
  port: { name?: string; number?: number };
}

export interface IngressBackend {
  service?: IngressServiceBackend;
  resource?: { apiGroup?: string; kind: string; name: string };
}

export interface HTTPIngressPath {
  path?: string;
  pathType: PathType;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export interface Ingress extends KubeObject {
  kind: 'Ingress';
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: IngressTLS[];
    rules?: IngressRule[];
  };
}

export interface IngressClass extends KubeObject {
  kind: 'IngressClass';
  spec: {
    controller: string;
    parameters?: { apiGroup?: string; kind: string; name: string; namespace?: string; scope?: string };
  };
}

export type IngressObject = Ingress | IngressClass;
