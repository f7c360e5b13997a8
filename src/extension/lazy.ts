// Loads dist/extensionServices.js on first use. The path is computed so esbuild leaves the require alone
// and the heavy modules stay out of dist/extension.js (activation cost: none of them).
import * as path from 'node:path';

export type Services = typeof import('./services');

export const SERVICES_BUNDLE = 'extensionServices.js';
let services: Services | undefined;

export function loadServices(): Services {
  if (!services) {
    const file = path.join(__dirname, SERVICES_BUNDLE);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a runtime path on purpose (see above)
    services = require(file) as Services;
  }
  return services;
}

export function servicesLoaded(): boolean {
  return services !== undefined;
}
