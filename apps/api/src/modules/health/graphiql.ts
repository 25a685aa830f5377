import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

const packageDirectory = (name: string): string => dirname(require.resolve(`${name}/package.json`));

/** Files the offline GraphiQL page loads, all served from installed packages: nothing comes from a CDN. */
export const GRAPHIQL_ASSETS: ReadonlyMap<string, string> = new Map([
  ['react.js', join(packageDirectory('react'), 'umd/react.production.min.js')],
  ['react-dom.js', join(packageDirectory('react-dom'), 'umd/react-dom.production.min.js')],
  ['graphiql.js', join(packageDirectory('graphiql'), 'graphiql.min.js')],
  ['graphiql.css', join(packageDirectory('graphiql'), 'graphiql.min.css')],
]);

/**
 * What the page runs once GraphiQL is loaded, served as a file of its own (the page allows no inline script): the
 * token the dashboard keeps in localStorage signs every request.
 */
const START_SCRIPT = `const token = localStorage.getItem('flotilla.token') || '';
const fetcher = GraphiQL.createFetcher({
  url: '/graphql',
  headers: token ? { authorization: 'Bearer ' + token } : {},
});
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    // Headers typed in the editor win over the fetcher's: the placeholder only when no token is stored.
    ...(token ? {} : { defaultHeaders: JSON.stringify({ authorization: 'Bearer <token from .flotilla/token>' }, null, 2) }),
    defaultQuery: '{\\n  clusters { name connectionState }\\n  rollouts(page: { first: 20 }) { nodes { cluster namespace name phase images } }\\n}\\n',
  }),
);
`;

/** The page's own files, written here rather than served from a package. */
export const GRAPHIQL_PAGE_ASSETS: ReadonlyMap<string, { contentType: string; body: string }> = new Map([
  ['start.js', { contentType: 'text/javascript; charset=utf-8', body: START_SCRIPT }],
  ['page.css', { contentType: 'text/css; charset=utf-8', body: 'body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }\n' }],
]);

export const GRAPHIQL_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Flotilla GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css">
  <link rel="stylesheet" href="/graphiql/assets/page.css">
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script src="/graphiql/assets/start.js"></script>
</body>
</html>
`;
