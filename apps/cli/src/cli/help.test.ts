import { describe, expect, it } from 'vitest';
import { overviewSynopsis } from './help.js';

describe('overviewSynopsis', () => {
  it.each([
    ['NAME [--cluster CLUSTER] [--namespace NAMESPACE]', 'NAME'],
    ['-f PATH... [--cluster CLUSTER]', '-f PATH...'],
    ['NAME (--image CONTAINER=IMAGE | --template-file FILE) [--wait]', 'NAME'],
    ['NAME CLUSTER --reason TEXT', 'NAME CLUSTER'],
    ['bash|zsh', 'bash|zsh'],
    ['', ''],
  ])('%s: %s', (synopsis, shown) => {
    expect(overviewSynopsis(synopsis)).toBe(shown);
  });
});
