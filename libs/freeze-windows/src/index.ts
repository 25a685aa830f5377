export {
  covers,
  engineFreeze,
  freezesAt,
  holdsProgress,
  nextPeriod,
  periodAt,
  type EngineFreeze,
  type FreezePeriod,
  type FreezeTarget,
  type NamedFreezeWindow,
} from './freeze-periods.js';
export { MAX_OCCURRENCES_PER_SEARCH } from './occurrences.js';
