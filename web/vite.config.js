import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Go server serves the API; in development Vite proxies to it.
// LIANZHU_DEV_API overrides the target (default: the server's default address).
const apiTarget = process.env.LIANZHU_DEV_API || 'http://localhost:8080'
const proxied = { target: apiTarget, changeOrigin: false }

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    // vue-i18n feature flags: Composition API only, no devtools in production.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      '/api': proxied,
      '/healthz': proxied,
      '/readyz': proxied,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Element Plus alone is ~300 kB minified; the default 500 kB limit would
    // warn as soon as later pages add a few components.
    chunkSizeWarningLimit: 800,
  },
})
