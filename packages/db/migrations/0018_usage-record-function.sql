-- Records a group of usage records for one (tenant, metric) in one statement (issue 17).
--
-- The caller's statement reads the tenant's status and limit (no lock) and passes the limit in, with
-- p_go false when the tenant is unknown or inactive or the metric unknown: then nothing is done and
-- no row answered. Otherwise this function locks the counter row first, so groups for one counter queue on it across processes, and
-- then applies the records in the order given, each against the total the previous one left:
-- an idempotency key already answered within the TTL replays its stored answer (or 'conflict' for
-- another body), a record that would pass the limit is 'refused' (counted in usage_refusals),
-- anything else is 'accepted' and its answer stored under its key. The hour's bucket, the counter and
-- the refusal count are written once for the whole group.
--
-- When a record would cross the 80 % mark or the limit and p_may_announce is false, nothing is
-- written and one row ('announce') is answered: the caller runs the group again in a transaction
-- that also records the crossing's activity and event.
--
-- p_records: [{ "amount": n, "key": text | null, "hash": text | null, "now": ISO-8601 }, …]
CREATE FUNCTION tenantry_usage_record(
  p_workspace_id text,
  p_tenant_id text,
  p_metric text,
  p_go boolean,
  p_limit bigint,
  p_threshold double precision,
  p_may_announce boolean,
  p_window_start timestamptz,
  p_window_start_iso text,
  p_hour timestamptz,
  p_day date,
  p_ttl interval,
  p_records jsonb
) RETURNS TABLE (outcome text, used bigint, response jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_total bigint;
  v_start timestamptz;
  v_record jsonb;
  v_amount bigint;
  v_key text;
  v_hash text;
  v_now timestamptz;
  v_stored record;
  v_seen jsonb := '{}'::jsonb;
  v_answer jsonb;
  v_added bigint := 0;
  v_refused integer := 0;
  v_crossing boolean := false;
  v_outcomes text[] := '{}';
  v_used bigint[] := '{}';
  v_answers jsonb[] := '{}';
  v_keys text[] := '{}';
  v_hashes text[] := '{}';
  v_key_answers jsonb[] := '{}';
  v_key_times timestamptz[] := '{}';
  v_n integer;
BEGIN
  IF NOT p_go THEN
    RETURN;
  END IF;
  SELECT c.total, c.window_start INTO v_total, v_start
  FROM usage_counters c
  WHERE c.workspace_id = p_workspace_id AND c.tenant_id = p_tenant_id AND c.metric = p_metric
  FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO usage_counters (workspace_id, tenant_id, metric, total, window_start)
    VALUES (p_workspace_id, p_tenant_id, p_metric, 0, p_window_start)
    ON CONFLICT DO NOTHING;
    SELECT c.total, c.window_start INTO v_total, v_start
    FROM usage_counters c
    WHERE c.workspace_id = p_workspace_id AND c.tenant_id = p_tenant_id AND c.metric = p_metric
    FOR UPDATE;
  END IF;
  -- Hours that left the window since the counter last moved: at most 720 buckets, never the events.
  IF v_start < p_window_start THEN
    v_total := v_total - coalesce((
      SELECT sum(b.amount) FROM usage_buckets b
      WHERE b.workspace_id = p_workspace_id AND b.tenant_id = p_tenant_id AND b.metric = p_metric
        AND b.hour >= v_start AND b.hour < p_window_start), 0);
  END IF;

  FOR v_record IN SELECT e.value FROM jsonb_array_elements(p_records) WITH ORDINALITY AS e(value, n) ORDER BY e.n
  LOOP
    v_amount := (v_record->>'amount')::bigint;
    v_key := v_record->>'key';
    v_hash := v_record->>'hash';
    v_now := (v_record->>'now')::timestamptz;
    v_answer := NULL;
    IF v_key IS NOT NULL THEN
      IF v_seen ? v_key THEN
        -- An earlier record of this group stored an answer under this key.
        IF v_seen->v_key->>'hash' = v_hash THEN
          v_answer := v_seen->v_key->'answer';
        ELSE
          v_outcomes := v_outcomes || 'conflict'::text;
          v_used := v_used || NULL::bigint;
          v_answers := v_answers || NULL::jsonb;
          CONTINUE;
        END IF;
      ELSE
        SELECT k.request_hash, k.response INTO v_stored
        FROM usage_idempotency_keys k
        WHERE k.workspace_id = p_workspace_id AND k.tenant_id = p_tenant_id AND k.key = v_key
          AND k.created_at > v_now - p_ttl;
        IF FOUND THEN
          IF v_stored.request_hash = v_hash THEN
            v_answer := v_stored.response;
          ELSE
            v_outcomes := v_outcomes || 'conflict'::text;
            v_used := v_used || NULL::bigint;
            v_answers := v_answers || NULL::jsonb;
            CONTINUE;
          END IF;
        END IF;
      END IF;
      IF v_answer IS NOT NULL THEN
        v_outcomes := v_outcomes || 'replay'::text;
        v_used := v_used || NULL::bigint;
        v_answers := v_answers || v_answer;
        CONTINUE;
      END IF;
    END IF;

    IF p_limit IS NOT NULL AND v_total + v_amount > p_limit THEN
      v_refused := v_refused + 1;
      v_outcomes := v_outcomes || 'refused'::text;
      v_used := v_used || v_total;
      v_answers := v_answers || NULL::jsonb;
      CONTINUE;
    END IF;

    IF p_limit IS NOT NULL AND (
      (v_total::double precision < p_threshold AND (v_total + v_amount)::double precision >= p_threshold)
      OR (v_total < p_limit AND v_total + v_amount >= p_limit)
    ) THEN
      v_crossing := true;
    END IF;
    v_total := v_total + v_amount;
    v_added := v_added + v_amount;
    v_answer := jsonb_build_object(
      'metric', p_metric,
      'amount', v_amount,
      'used', v_total,
      'limit', p_limit,
      'remaining', CASE WHEN p_limit IS NULL THEN NULL ELSE p_limit - v_total END,
      'windowStart', p_window_start_iso,
      'windowEnd', v_record->>'now'
    );
    v_outcomes := v_outcomes || 'accepted'::text;
    v_used := v_used || v_total;
    v_answers := v_answers || v_answer;
    IF v_key IS NOT NULL THEN
      v_seen := v_seen || jsonb_build_object(v_key, jsonb_build_object('hash', v_hash, 'answer', v_answer));
      v_keys := v_keys || v_key;
      v_hashes := v_hashes || v_hash;
      v_key_answers := v_key_answers || v_answer;
      v_key_times := v_key_times || v_now;
    END IF;
  END LOOP;

  IF v_crossing AND NOT p_may_announce THEN
    RETURN QUERY SELECT 'announce'::text, NULL::bigint, NULL::jsonb;
    RETURN;
  END IF;

  IF v_added > 0 THEN
    INSERT INTO usage_buckets (workspace_id, tenant_id, metric, hour, amount)
    VALUES (p_workspace_id, p_tenant_id, p_metric, p_hour, v_added)
    ON CONFLICT (workspace_id, tenant_id, metric, hour)
    DO UPDATE SET amount = usage_buckets.amount + excluded.amount;
  END IF;
  IF v_added > 0 OR v_start < p_window_start THEN
    UPDATE usage_counters
    SET total = v_total, window_start = greatest(v_start, p_window_start)
    WHERE workspace_id = p_workspace_id AND tenant_id = p_tenant_id AND metric = p_metric;
  END IF;
  IF v_refused > 0 THEN
    INSERT INTO usage_refusals (workspace_id, tenant_id, metric, day, count)
    VALUES (p_workspace_id, p_tenant_id, p_metric, p_day, v_refused)
    ON CONFLICT (workspace_id, tenant_id, metric, day)
    DO UPDATE SET count = usage_refusals.count + excluded.count;
  END IF;
  v_n := coalesce(array_length(v_keys, 1), 0);
  FOR i IN 1..v_n LOOP
    INSERT INTO usage_idempotency_keys (workspace_id, tenant_id, key, request_hash, response, created_at)
    VALUES (p_workspace_id, p_tenant_id, v_keys[i], v_hashes[i], v_key_answers[i], v_key_times[i])
    ON CONFLICT (workspace_id, tenant_id, key)
    DO UPDATE SET request_hash = excluded.request_hash, response = excluded.response, created_at = excluded.created_at;
  END LOOP;

  v_n := coalesce(array_length(v_outcomes, 1), 0);
  FOR i IN 1..v_n LOOP
    outcome := v_outcomes[i];
    used := v_used[i];
    response := v_answers[i];
    RETURN NEXT;
  END LOOP;
END;
$$;
