import { integer, loadSettings } from '@flotilla/service-runtime';

/** The seed of every property-based fuzzer: FUZZ_SEED replays a run, or `fallback` keeps the run reproducible. */
export const fuzzSeed = (fallback: number): number =>
  loadSettings((environment, problems) => integer(environment, 'FUZZ_SEED', fallback, problems, 0));
