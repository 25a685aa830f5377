import { AuditTimeline } from './audit-timeline.js';

export function AuditPage() {
  return (
    <>
      <h1>Audit</h1>
      <AuditTimeline title="Everything the organization did, newest first" />
    </>
  );
}
