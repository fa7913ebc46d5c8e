/**
 * UDPRoute: v1 allows one rule, v1alpha2 up to 16.
 */
import type { z } from 'zod';
import type { UDPRoute } from '../model/gateway-api.js';
import { l4RouteSpec, l4RulesV1, l4RulesV1alpha2 } from './l4routes.js';
import { kubeObject } from './object.js';

export const udpRoute = kubeObject('UDPRoute', l4RouteSpec(l4RulesV1)) satisfies z.ZodType<UDPRoute>;
export const udpRouteV1alpha2 = kubeObject('UDPRoute', l4RouteSpec(l4RulesV1alpha2)) satisfies z.ZodType<UDPRoute>;
