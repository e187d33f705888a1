import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // The expression evaluator asks for node-forge only for digest(): not bundled (see the file).
  resolve: { alias: { 'node-forge': new URL('./src/surveys/no-forge.ts', import.meta.url).pathname } },
  build: {
    outDir: 'dist',
    target: 'es2020',
    manifest: true,
    sourcemap: false,
    // Everything the entry loads (the cadre's 今日 with it: src/routes.ts) in one chunk: the
    // first screen is index.html, one script and one style sheet. Left to itself the bundler
    // split it into a dozen chunks shared with later screens, each a request (six at a time on
    // HTTP/1.1) and a few milliseconds of the page's main thread even from the cache.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [{ name: 'app', tags: ['$initial'] }],
        },
      },
    },
  },
  server: {
    // `npm run dev` talks to a backend on this machine (ZHUCUN_API overrides).
    proxy: { '/api': process.env.ZHUCUN_API ?? 'http://127.0.0.1:8000' },
  },
  plugins: [
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      registerType: 'prompt',
      injectManifest: {
        globPatterns: ['**/*.{js,css,html}'],
        globIgnores: ['.vite/**'],
      },
      includeAssets: ['icons/apple-touch-icon.png'],
      manifest: {
        name: '驻村',
        short_name: '驻村',
        description: '驻村干部的工作日志、驻村天数与消息',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        theme_color: '#b3261e',
        background_color: '#ffffff',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      devOptions: { enabled: false },
    }),
  ],
});
