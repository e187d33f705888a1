// The surveys' tests read the shared rules fixture with Node's fs; the app has no Node types.
declare module 'node:fs' {
  export function readFileSync(path: string | URL, encoding: 'utf8'): string;
}
