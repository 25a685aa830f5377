import { spawn } from 'node:child_process';
import { ExitCode } from '../cli/cli-error.js';
import type { Command } from '../cli/command.js';

/** Whether a graphical session could show a browser: an X or Wayland display. */
function canOpenBrowser(environment: Readonly<Record<string, string | undefined>>): boolean {
  return Boolean(environment.DISPLAY || environment.WAYLAND_DISPLAY);
}

export const dashboardCommand: Command = {
  path: ['dashboard'],
  synopsis: '',
  summary: "Print the address of the control plane's dashboard, and open it in a browser when a display is available",
  details: [
    'The dashboard is served by the API, at the address the other commands call (--server, FLOTILLA_SERVER, the context or the demo).',
  ],
  flags: [],
  online: true,
  run({ api, invocation, terminal, environment }) {
    invocation.atMostPositionals(0);
    const url = `${api().connection.server}/`;
    terminal.out(`${url}\n`);
    if (canOpenBrowser(environment)) {
      const opener = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
      opener.on('error', () => terminal.err(`could not start xdg-open: open ${url} in a browser\n`));
      opener.unref();
    }
    return Promise.resolve(ExitCode.Ok);
  },
};
