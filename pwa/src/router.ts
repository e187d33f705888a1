import { createStore } from './store';

/**
 * Hash routes (`#/today`, `#/today/edit/<id>`): a deep link never reaches the server, which
 * has no SPA fallback, and the service worker only ever serves index.html.
 */
export interface Route {
  name: string;
  params: string[];
}

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] ?? '', params: parts.slice(1) };
}

export const route = createStore<Route>(
  parseHash(typeof location === 'undefined' ? '' : location.hash),
);

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => route.set(parseHash(location.hash)));
}

export function href(name: string, ...params: string[]): string {
  return `#/${[name, ...params].map(encodeURIComponent).join('/')}`;
}

export function go(name: string, ...params: string[]): void {
  location.hash = href(name, ...params);
}
