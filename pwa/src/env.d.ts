/** Set from package.json by vite.config.ts. */
declare const __APP_VERSION__: string;
