import { lazy, Suspense, type ComponentProps } from 'react';
import type { MeasurementChart } from './measurement-chart.js';

const LoadedChart = lazy(async () => ({ default: (await import('./measurement-chart.js')).MeasurementChart }));

/** A measurement chart whose chart library loads with the first chart shown, not with the dashboard. */
export function MeasurementChartOnDemand(props: ComponentProps<typeof MeasurementChart>) {
  return (
    <Suspense fallback={<figure className="chart" data-chart={props.title} aria-busy="true" />}>
      <LoadedChart {...props} />
    </Suspense>
  );
}
