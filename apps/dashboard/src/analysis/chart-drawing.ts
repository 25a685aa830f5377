import type uPlot from 'uplot';
import type { ChartData, ChartSeries } from './chart-series.js';
import type { Threshold } from './condition-thresholds.js';

export const OPERATOR_TEXT: Record<Threshold['operator'], string> = { '>=': '≥', '>': '>', '<=': '≤', '<': '<' };

/** A value as the chart writes it: whole numbers and big ones as they are, others to four significant digits. */
export const formatValue = (value: number): string =>
  Math.abs(value) >= 1000 || value === Math.round(value) ? String(value) : String(Number(value.toPrecision(4)));

/** The text of a threshold line, such as `success-rate success ≥ 0.95`. */
export const thresholdText = (metricName: string, kind: 'success' | 'failure', threshold: Threshold): string =>
  `${metricName} ${kind} ${OPERATOR_TEXT[threshold.operator]} ${formatValue(threshold.value)}`;

const THRESHOLD_COLOURS = { success: '#166534', failure: '#991b1b' } as const;

/** Fill and outline of a measurement's mark by phase, the colours of the legend's marks. */
const MARK_COLOURS: Record<string, { fill: string | null; stroke: string }> = {
  Successful: { fill: '#16a34a', stroke: '#14532d' },
  Failed: { fill: null, stroke: '#b91c1c' },
  Error: { fill: '#d97706', stroke: '#78350f' },
  Inconclusive: { fill: '#facc15', stroke: '#854d0e' },
};
const IDLE_MARK = { fill: '#ffffff', stroke: '#374151' };

/** Traces the mark of a phase around (x, y): a circle, a cross, a triangle or a diamond, so that the shape tells the phase too. */
function traceMark(context: CanvasRenderingContext2D, phase: string, x: number, y: number, size: number): void {
  context.beginPath();
  switch (phase) {
    case 'Failed':
      context.moveTo(x - size, y - size);
      context.lineTo(x + size, y + size);
      context.moveTo(x - size, y + size);
      context.lineTo(x + size, y - size);
      return;
    case 'Error':
      context.moveTo(x, y - size * 1.2);
      context.lineTo(x + size * 1.2, y + size);
      context.lineTo(x - size * 1.2, y + size);
      context.closePath();
      return;
    case 'Inconclusive':
      context.moveTo(x, y - size * 1.2);
      context.lineTo(x + size * 1.2, y);
      context.lineTo(x, y + size * 1.2);
      context.lineTo(x - size * 1.2, y);
      context.closePath();
      return;
    default:
      context.arc(x, y, size, 0, 2 * Math.PI);
  }
}

function drawThreshold(chart: uPlot, line: ChartSeries, kind: 'success' | 'failure', threshold: Threshold): void {
  const { ctx: context, bbox } = chart;
  const y = Math.round(chart.valToPos(threshold.value, 'y', true));
  const pixel = devicePixelRatio;
  context.save();
  context.strokeStyle = THRESHOLD_COLOURS[kind];
  context.fillStyle = THRESHOLD_COLOURS[kind];
  context.lineWidth = 2 * pixel;
  context.setLineDash([6 * pixel, 4 * pixel]);
  context.beginPath();
  context.moveTo(bbox.left, y);
  context.lineTo(bbox.left + bbox.width, y);
  context.stroke();
  context.font = `600 ${12 * pixel}px system-ui, sans-serif`;
  context.textAlign = 'left';
  context.textBaseline = kind === 'success' ? 'top' : 'bottom';
  context.fillText(thresholdText(line.metricName, kind, threshold), bbox.left + 6 * pixel, y + (kind === 'success' ? 4 : -4) * pixel);
  context.restore();
}

function drawMarks(chart: uPlot, data: ChartData, line: ChartSeries): void {
  const context = chart.ctx;
  const pixel = devicePixelRatio;
  context.save();
  context.setLineDash([]);
  line.values.forEach((value, index) => {
    const time = data.times[index];
    const phase = line.measurements[index]?.phase;
    if (value === null || time === undefined || phase === undefined) return;
    const colours = MARK_COLOURS[phase] ?? IDLE_MARK;
    traceMark(context, phase, chart.valToPos(time, 'x', true), chart.valToPos(value, 'y', true), 5 * pixel);
    context.lineWidth = (phase === 'Failed' ? 3 : 2) * pixel;
    context.strokeStyle = colours.stroke;
    if (colours.fill !== null) {
      context.fillStyle = colours.fill;
      context.fill();
    }
    context.stroke();
  });
  context.restore();
}

/** Draws over uPlot's lines: each series' success and failure threshold, then a mark per measurement shaped by its phase. */
export function drawThresholdsAndMarks(chart: uPlot, data: ChartData): void {
  const { ctx: context, bbox } = chart;
  context.save();
  // Zoomed in, marks and labels outside the plotting area would spill over the axes.
  context.beginPath();
  context.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  context.clip();
  for (const line of data.series) {
    if (line.success) drawThreshold(chart, line, 'success', line.success);
    if (line.failure) drawThreshold(chart, line, 'failure', line.failure);
  }
  for (const line of data.series) drawMarks(chart, data, line);
  context.restore();
}
