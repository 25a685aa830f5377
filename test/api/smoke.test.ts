import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlData } from '../support/graphql-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

describe('smoke', () => {
  it('serves clusters', async () => {
    const org = await api.organization({ cluster: 'staging' });
    const data = await graphqlData<{ clusters: { name: string }[] }>(api.url, org.tokens.viewer, '{ clusters { name connectionState } }');
    expect(data.clusters).toEqual([{ name: 'staging', connectionState: 'Pending' }]);
  });
});
