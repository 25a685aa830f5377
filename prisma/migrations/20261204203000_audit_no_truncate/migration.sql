-- TRUNCATE fires no row trigger: without a statement trigger of its own it would empty the audit, also as the
-- cascade of a TRUNCATE of "Organization".
CREATE TRIGGER "AuditEvent_no_truncate" BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION "refuse_audit_event_change"();
