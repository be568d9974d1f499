import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const apiServer = 'http://127.0.0.1:3000';

// Vite demands a default export here; everything else in the repo uses named exports.
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
  },
  server: {
    // The dev server serves the SPA; the API runs separately (`npm start`), so its cookies stay same-origin.
    proxy: {
      '/api': apiServer,
      '/healthz': apiServer,
    },
  },
});
