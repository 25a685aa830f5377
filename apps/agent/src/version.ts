/** Reported in `hello`; kept equal to the version in package.json. */
export const AGENT_VERSION = '0.1.0';
