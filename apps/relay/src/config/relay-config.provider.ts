/** Injection token for the validated RelayConfig. */
export const RELAY_CONFIG = Symbol('RELAY_CONFIG');
