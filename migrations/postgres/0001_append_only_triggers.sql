-- Custom migration (drizzle-kit generate --custom): rules the schema builder cannot express.
-- audit_log is append-only: any UPDATE, DELETE or TRUNCATE raises.
CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();
--> statement-breakpoint
-- A published (or retired) agent version is immutable; the only change left is retiring it.
CREATE FUNCTION agent_versions_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'draft'
    OR (OLD.status = 'retired' AND NEW.status <> 'retired')
    OR (NEW.tenant_id, NEW.agent_name, NEW.version, NEW.flows, NEW.intents, NEW.thresholds,
        NEW.model_ids, NEW.prompts, NEW.prompt_hash, NEW.kb_snapshot_hash, NEW.changelog, NEW.created_at, NEW.published_at)
       IS DISTINCT FROM
       (OLD.tenant_id, OLD.agent_name, OLD.version, OLD.flows, OLD.intents, OLD.thresholds,
        OLD.model_ids, OLD.prompts, OLD.prompt_hash, OLD.kb_snapshot_hash, OLD.changelog, OLD.created_at, OLD.published_at)
    -- parent_id and created_by may only become NULL: that is their ON DELETE SET NULL at work.
    OR (NEW.parent_id IS DISTINCT FROM OLD.parent_id AND NEW.parent_id IS NOT NULL)
    OR (NEW.created_by IS DISTINCT FROM OLD.created_by AND NEW.created_by IS NOT NULL)
  THEN
    RAISE EXCEPTION 'agent version % (%) is % and immutable', OLD.id, OLD.version, OLD.status
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER agent_versions_immutable_after_publish BEFORE UPDATE ON agent_versions
  FOR EACH ROW WHEN (OLD.status <> 'draft') EXECUTE FUNCTION agent_versions_reject_change();
