import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_REFERENCE_LENGTH, parseImageReference } from './image-reference.js';

const HEX64 = 'f'.repeat(64);

// The cases of distribution/reference's TestReferenceParse (reference_test.go), with what each parses to.
describe('parseImageReference, on the upstream reference table', () => {
  it.each([
    ['test_com', { path: 'test_com' }],
    ['test.com:tag', { path: 'test.com', tag: 'tag' }],
    ['test.com:5000', { path: 'test.com', tag: '5000' }],
    ['test.com/repo:tag', { domain: 'test.com', path: 'repo', tag: 'tag' }],
    ['test:5000/repo', { domain: 'test:5000', path: 'repo' }],
    ['test:5000/repo:tag', { domain: 'test:5000', path: 'repo', tag: 'tag' }],
    [`test:5000/repo@sha256:${HEX64}`, { domain: 'test:5000', path: 'repo', digest: `sha256:${HEX64}` }],
    [`test:5000/repo:tag@sha256:${HEX64}`, { domain: 'test:5000', path: 'repo', tag: 'tag', digest: `sha256:${HEX64}` }],
    ['lowercase:Uppercase', { path: 'lowercase', tag: 'Uppercase' }],
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, { domain: 'a', path: `${'a/'.repeat(126)}a`, tag: 'tag-puts-this-over-max' }],
    ['sub-dom1.foo.com/bar/baz/quux', { domain: 'sub-dom1.foo.com', path: 'bar/baz/quux' }],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', { domain: 'sub-dom1.foo.com', path: 'bar/baz/quux', tag: 'some-long-tag' }],
    ['b.gcr.io/test.example.com/my-app:test.example.com', { domain: 'b.gcr.io', path: 'test.example.com/my-app', tag: 'test.example.com' }],
    ['xn--n3h.com/myimage:xn--n3h.com', { domain: 'xn--n3h.com', path: 'myimage', tag: 'xn--n3h.com' }],
    [
      `xn--7o8h.com/myimage:xn--7o8h.com@sha256:${HEX64}`,
      { domain: 'xn--7o8h.com', path: 'myimage', tag: 'xn--7o8h.com', digest: `sha256:${HEX64}` },
    ],
    ['foo_bar.com:8080', { path: 'foo_bar.com', tag: '8080' }],
    ['foo/foo_bar.com:8080', { domain: 'foo', path: 'foo_bar.com', tag: '8080' }],
    ['192.168.1.1', { path: '192.168.1.1' }],
    ['192.168.1.1:tag', { path: '192.168.1.1', tag: 'tag' }],
    ['192.168.1.1:5000', { path: '192.168.1.1', tag: '5000' }],
    ['192.168.1.1/repo', { domain: '192.168.1.1', path: 'repo' }],
    ['192.168.1.1:5000/repo', { domain: '192.168.1.1:5000', path: 'repo' }],
    ['192.168.1.1:5000/repo:5050', { domain: '192.168.1.1:5000', path: 'repo', tag: '5050' }],
    ['[2001:db8::1]/repo', { domain: '[2001:db8::1]', path: 'repo' }],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', { domain: '[2001:db8:1:2:3:4:5:6]', path: 'repo', tag: 'tag' }],
    ['[2001:db8::1]:5000/repo', { domain: '[2001:db8::1]:5000', path: 'repo' }],
    ['[2001:db8::1]:5000/repo:tag', { domain: '[2001:db8::1]:5000', path: 'repo', tag: 'tag' }],
    [`[2001:db8::1]:5000/repo@sha256:${HEX64}`, { domain: '[2001:db8::1]:5000', path: 'repo', digest: `sha256:${HEX64}` }],
    [`[2001:db8::1]:5000/repo:tag@sha256:${HEX64}`, { domain: '[2001:db8::1]:5000', path: 'repo', tag: 'tag', digest: `sha256:${HEX64}` }],
    ['[2001:db8::]:5000/repo', { domain: '[2001:db8::]:5000', path: 'repo' }],
    ['[::1]:5000/repo', { domain: '[::1]:5000', path: 'repo' }],
    [`example.com/${'a'.repeat(255)}:tag`, { domain: 'example.com', path: 'a'.repeat(255), tag: 'tag' }],
    // go-digest registers sha512 only when crypto/sha512 is linked in, as container runtimes do.
    [`validname@sha512:${'f'.repeat(128)}`, { path: 'validname', digest: `sha512:${'f'.repeat(128)}` }],
  ])('accepts %s', (input, reference) => {
    expect(parseImageReference(input)).toEqual({ ok: true, reference });
  });

  it.each([
    ['', 'must not be empty'],
    [':justtag', 'is not an image reference'],
    [`@sha256:${HEX64}`, 'is not an image reference'],
    [`repo@sha256:${'f'.repeat(34)}`, 'a sha256 digest is 64 lowercase hexadecimal digits'],
    [`validname@invaliddigest:${HEX64}`, 'digest algorithm "invaliddigest" is not supported'],
    ['Uppercase:tag', 'must have a lowercase repository name'],
    ['test:5000/Uppercase/lowercase:tag', 'must have a lowercase repository name'],
    [`domain/${'a'.repeat(256)}:tag`, 'has a repository name of 256 characters'],
    ['aa/asdf$$^/aa', 'is not an image reference'],
    ['[2001:db8::1]', 'is not an image reference'],
    ['[2001:db8::1]:5000', 'is not an image reference'],
    ['[2001:db8::1]:tag', 'is not an image reference'],
    ['[fe80::1%eth0]:5000/repo', 'is not an image reference'],
    ['[fe80::1%@invalidzone]:5000/repo', 'is not an image reference'],
  ])('refuses %s', (input, reason) => {
    const result = parseImageReference(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('parseImageReference on hostile input', () => {
  it.each([' ', ' nginx', 'nginx ', 'a b\nc;rm -rf /', 'nginx\u0000', 'nginx:\uD800', 'nginx:' + 'a'.repeat(129), 'a..b', 'a/-b'])(
    'refuses %j',
    (input) => {
      expect(parseImageReference(input).ok).toBe(false);
    },
  );

  it('refuses 200,000 characters by their length alone', () => {
    expect(parseImageReference('a'.repeat(200_000))).toEqual({
      ok: false,
      reason: `must be at most ${MAX_IMAGE_REFERENCE_LENGTH} characters, not 200000`,
    });
  });
});
