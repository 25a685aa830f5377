/** The id of a run's heading in the analysis section, which other sections link to. */
export const analysisRunAnchor = (runId: string): string => `run-${runId}`;
