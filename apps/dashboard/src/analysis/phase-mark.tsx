/** The mark of a measurement: its phase decides colour and shape, so the shape alone tells the phase too. */
export function PhaseMark({ phase, x, y }: { phase: string; x: number; y: number }) {
  switch (phase) {
    case 'Successful':
      return <circle cx={x} cy={y} r={5} className="mark mark-good" />;
    case 'Failed':
      return <path d={`M${x - 5},${y - 5}L${x + 5},${y + 5}M${x - 5},${y + 5}L${x + 5},${y - 5}`} className="mark mark-bad" />;
    case 'Error':
      return <path d={`M${x},${y - 6}L${x + 6},${y + 5}L${x - 6},${y + 5}Z`} className="mark mark-error" />;
    case 'Inconclusive':
      return <path d={`M${x},${y - 6}L${x + 6},${y}L${x},${y + 6}L${x - 6},${y}Z`} className="mark mark-warn" />;
    default:
      return <circle cx={x} cy={y} r={4} className="mark mark-idle" />;
  }
}
