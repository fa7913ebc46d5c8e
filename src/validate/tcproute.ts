/**
 * TCPRoute: v1 allows one rule, v1alpha2 up to 16.
 */
import type { z } from 'zod';
import type { TCPRoute } from '../model/gateway-api.js';
import { l4RouteSpec, l4RulesV1, l4RulesV1alpha2 } from './l4routes.js';
import { kubeObject } from './object.js';

export const tcpRoute = kubeObject('TCPRoute', l4RouteSpec(l4RulesV1)) satisfies z.ZodType<TCPRoute>;
export const tcpRouteV1alpha2 = kubeObject('TCPRoute', l4RouteSpec(l4RulesV1alpha2)) satisfies z.ZodType<TCPRoute>;
