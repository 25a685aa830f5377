import { defineConfig } from 'vite';

// The API serves the build at `/`; `vite dev` forwards the API's own paths to one started with `npm start`.
const apiUrl = 'http://127.0.0.1:3000';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: { proxy: { '/graphql': { target: apiUrl, ws: true } } },
});
