/** Response header in which the test worker reports the request target it received (worker.ts). */
export const RECEIVED_TARGET_HEADER = 'x-test-received-target';
